import { Option, type Command } from 'commander';
import { integer } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addLogOptions } from '../options.js';
import { createCliLogger } from '../logger.js';
import { printJson } from '../output.js';
import { runDrain } from '../actions/drain.js';

/** `ringleader drain <pollerId>`: prints the outcome as one JSON line. */
export function registerDrain(program: Command): Command {
  const drain = program.command('drain').description('ask a poller to hand off its ranges and leave').argument('<pollerId>');
  addZkOptions(drain);
  addGroupOption(drain);
  drain
    .addOption(new Option('--no-wait', 'return at once instead of waiting until the poller has left'))
    .addOption(opt('--timeout <ms>', 'how long to wait').argParser(integer(0)).default(120_000));
  addLogOptions(drain);
  return drain.action(async (pollerId: string, o) => {
    printJson(await runDrain({ ...o, pollerId }, createCliLogger({ ...o, logLevel: 'warn' })));
  });
}
