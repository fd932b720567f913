// The demo's handler module (`ringleader poller --handler dist/cli/demo/record-handler.js`).
// It records every handled message to the poller's own append-only file so the
// demo can count what was handled, by whom, and what was delivered twice.
import { openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RingMessage } from '../../poller/message.js';
import { POLLER_ENV, RECORDS_ENV, type HandledRecord } from './record-format.js';

const file = process.env[RECORDS_ENV];
if (!file) throw new Error(`${RECORDS_ENV} is not set: this handler belongs to \`ringleader demo\``);
const poller = process.env[POLLER_ENV] ?? 'unknown';
// A synchronous write reaches the kernel before the handler resolves (and the
// message is acknowledged), so even a SIGKILL right after cannot lose a record.
const fd = openSync(file, 'a');

export default async function handle(msg: RingMessage): Promise<void> {
  const value = JSON.parse(msg.value.toString('utf8')) as { id: number; key: string; seq: number };
  // A little simulated I/O, 1-2 ms.
  await sleep(1 + Math.random());
  const record: HandledRecord = { id: value.id, key: value.key, seq: value.seq, poller, range: msg.range, offset: msg.offset };
  writeSync(fd, `${JSON.stringify(record)}\n`);
}
