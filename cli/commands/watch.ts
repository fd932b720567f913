import type { Command } from 'commander';
import { integer } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addLogOptions } from '../options.js';
import { createCliLogger } from '../logger.js';
import { runWatch } from '../actions/watch.js';

/** `ringleader watch`: follows the group until a signal or --duration; its info logs would interleave with the view, so they start at warn. */
export function registerWatch(program: Command): Command {
  const watch = program.command('watch').description('follow the group live (NDJSON events with --json)');
  addZkOptions(watch);
  addGroupOption(watch);
  addBrokersOption(watch, false);
  watch
    .addOption(opt('--json', 'NDJSON events on stdout'))
    .addOption(opt('--refresh <ms>', 'safety-net refresh interval').argParser(integer(50)).default(1_000))
    .addOption(opt('--duration <ms>', 'stop after this long (0 = until Ctrl-C)').argParser(integer(0)).default(0));
  addLogOptions(watch);
  return watch.action(async (o) => {
    await runWatch(o, createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel }));
  });
}
