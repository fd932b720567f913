import type { Command } from 'commander';
import { integer } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addLogOptions, addKafkaClientOption } from '../options.js';
import { createCliLogger } from '../logger.js';
import { printJson } from '../output.js';
import { MAX_GROUP_RANGES } from '../../coordinator/index.js';
import { runResize, type ResizeOutcome } from '../actions/resize.js';

/** `ringleader resize`: grows a live group to a multiple of its range count without breaking per-key order. */
export function registerResize(program: Command): Command {
  const resize = program
    .command('resize')
    .description('grow a live group to more ranges (a multiple of today\'s): adds the partitions, pauses the group\'s producers and pollers for the cut-over, keeps every key in order');
  addZkOptions(resize);
  addGroupOption(resize);
  addBrokersOption(resize, true);
  resize
    .addOption(opt('--ranges <R>', 'the new range count: a multiple of the present one (2x, 4x, ...)').argParser(integer(2, MAX_GROUP_RANGES)).makeOptionMandatory())
    .addOption(opt('--timeout <ms>', 'how long producers and pollers have to pause (and a Kafka broker that is down to come back) before the resize is rolled back').argParser(integer(100)).default(30_000))
    .addOption(opt('--json', 'print the outcome as one JSON line'));
  addKafkaClientOption(resize);
  addLogOptions(resize);
  return resize.action(async (o) => {
    const log = createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel });
    const onWaiting = o.json
      ? undefined
      : (w: { paused: string[]; waitingFor: string[] }) =>
          process.stderr.write(`paused: ${w.paused.length}${w.waitingFor.length ? `; waiting for ${w.waitingFor.join(', ')}` : ''}\n`);
    const outcome = await runResize(o, log, onWaiting);
    if (o.json) printJson(outcome);
    else process.stdout.write(describe(outcome));
  });
}

function describe(r: ResizeOutcome): string {
  const grown = r.grown.length > 0 ? `added partitions to ${r.grown.join(' and ')}; ` : '';
  return (
    `group ${r.group} now has ${r.to} ranges (was ${r.from}): ${grown}${r.producers.length} producer(s) and ${r.pollers.length} poller(s) paused for ${r.pausedMs} ms.\n` +
    `Pollers grow to the new count by themselves; \`ringleader status\` shows them taking the new ranges.\n` +
    `New ranges start past their split point once the old range they came from has been handled up to it (ringleader status shows the wait).\n`
  );
}
