import type { Command } from 'commander';
import { integer } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addLogOptions } from '../options.js';
import { createCliLogger } from '../logger.js';
import { readStatus, statusJson } from '../actions/status.js';
import { formatStatus, SMALL_GROUP } from '../views/status-view.js';

/** `ringleader status`: one snapshot of the group, as a summary or tables, or (--json) one JSON line. */
export function registerStatus(program: Command): Command {
  const status = program
    .command('status')
    .description(
      `show members, assignment, leases and offsets: every poller and range for a group of up to ${SMALL_GROUP.ranges} ranges and ${SMALL_GROUP.pollers} pollers, ` +
        'otherwise a summary that fits a screen (range states, the ring as a strip, ranges per poller, the largest lags); --json is always complete',
    );
  addZkOptions(status);
  addGroupOption(status);
  addBrokersOption(status, false);
  status
    .addOption(opt('--json', 'one JSON object on stdout: every poller and range, whatever the size'))
    .addOption(opt('--full', 'one row per poller and per range, whatever the size').conflicts('summary'))
    .addOption(opt('--summary', 'the summary, even for a small group'))
    .addOption(opt('--top <n>', 'the summary lists this many of the largest lags (with --brokers)').argParser(integer(0, 1000)).default(10));
  addLogOptions(status);
  return status.action(async (o) => {
    const snap = await readStatus(o, createCliLogger({ ...o, logLevel: 'warn' }));
    const text = o.json ? JSON.stringify(statusJson(snap)) : formatStatus(snap, { layout: o.full ? 'full' : o.summary ? 'summary' : 'auto', top: o.top });
    process.stdout.write(`${text}\n`); // main.ts lets stdout drain before it exits
  });
}
