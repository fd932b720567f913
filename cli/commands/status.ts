import type { Command } from 'commander';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addLogOptions } from '../options.js';
import { createCliLogger } from '../logger.js';
import { readStatus, statusJson, formatStatus } from '../actions/status.js';
import { printJson } from '../output.js';

/** `ringleader status`: one snapshot of the group, as a table or (--json) one JSON line. */
export function registerStatus(program: Command): Command {
  const status = program.command('status').description('show members, assignment, leases and offsets');
  addZkOptions(status);
  addGroupOption(status);
  addBrokersOption(status, false);
  status.addOption(opt('--json', 'one JSON object on stdout'));
  addLogOptions(status);
  return status.action(async (o) => {
    const snap = await readStatus(o, createCliLogger({ ...o, logLevel: 'warn' }));
    if (o.json) printJson(statusJson(snap));
    else process.stdout.write(`${formatStatus(snap)}\n`);
  });
}
