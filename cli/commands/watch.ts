import type { Command } from 'commander';
import { integer } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addLogOptions } from '../options.js';
import { createCliLogger } from '../logger.js';
import { runWatch } from '../actions/watch.js';
import { SMALL_GROUP } from '../views/status-view.js';

/** `ringleader watch`: follows the group until a signal or --duration; its info logs would interleave with the view, so they start at warn. */
export function registerWatch(program: Command): Command {
  const watch = program
    .command('watch')
    .description(
      `follow the group live (NDJSON events with --json, one per range): on a terminal, every range and poller for a group of up to ${SMALL_GROUP.ranges} ranges ` +
        `and ${SMALL_GROUP.pollers} pollers, otherwise the summary of \`status\`, refreshed, with recent events`,
    );
  addZkOptions(watch);
  addGroupOption(watch);
  addBrokersOption(watch, false);
  watch
    .addOption(opt('--json', 'NDJSON events on stdout'))
    .addOption(opt('--refresh <ms>', 'safety-net refresh interval').argParser(integer(50)).default(1_000))
    .addOption(opt('--duration <ms>', 'stop after this long (0 = until Ctrl-C)').argParser(integer(0)).default(0))
    .addOption(opt('--summary', 'the summary, even for a small group'))
    .addOption(opt('--top <n>', 'the summary lists this many of the largest lags (with --brokers)').argParser(integer(0, 100)).default(5));
  addLogOptions(watch);
  return watch.action(async (o) => {
    await runWatch(o, createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel }));
  });
}
