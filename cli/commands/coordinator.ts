import type { Command } from 'commander';
import { integer, name } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addLogOptions } from '../options.js';
import { createCliLogger } from '../logger.js';
import { runCoordinator } from '../actions/coordinator.js';

/** `ringleader coordinator`: a leader candidate that consumes nothing. */
export function registerCoordinator(program: Command): Command {
  const coordinator = program.command('coordinator').description('run a standalone coordinator candidate (consumes nothing)');
  addZkOptions(coordinator);
  addGroupOption(coordinator);
  coordinator
    .addOption(opt('--id <id>', 'candidate id').argParser(name('--id')))
    .addOption(opt('--session-timeout <ms>', 'ZooKeeper session timeout').argParser(integer(1_000, 600_000)).default(10_000))
    .addOption(opt('--settle <ms>', 'settle window before reassigning after joins (after a member leaves: the smaller of 50 ms and this)').argParser(integer(0)).default(200));
  addLogOptions(coordinator);
  return coordinator.action(async (o) => {
    await runCoordinator(o, createCliLogger(o));
  });
}
