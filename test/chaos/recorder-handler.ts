// The chaos run's handler module (`ringleader poller --handler dist/test/chaos/recorder-handler.js`).
// Appends one JSON line per handled message to this poller incarnation's own
// file, synchronously (writeSync reaches the kernel before the handler
// resolves, so a SIGKILL right after cannot lose the line):
//
//   {poller, inc, pid, range, offset, key, id, seq, start, end, attempt}
//
// CHAOS_RECORD_FILE  the file (required)
// CHAOS_POLLER       poller id, CHAOS_INCARNATION its restart count
// CHAOS_SLOW_FILE    if this file exists, its content is extra latency in ms
//                    for every message (the slow-handler fault); checked at most
//                    every 100 ms
import { openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RingMessage } from '../../poller/message.js';

const file = process.env['CHAOS_RECORD_FILE'];
if (!file) throw new Error('CHAOS_RECORD_FILE is not set: this handler belongs to `npm run chaos`');
const poller = process.env['CHAOS_POLLER'] ?? String(process.pid);
const inc = Number(process.env['CHAOS_INCARNATION'] ?? '0');
const slowFile = process.env['CHAOS_SLOW_FILE'];
const fd = openSync(file, 'a');

let slowMs = 0;
let slowCheckedAt = 0;
function extraDelay(now: number): number {
  if (!slowFile || now - slowCheckedAt < 100) return slowMs;
  slowCheckedAt = now;
  try {
    slowMs = Number(readFileSync(slowFile, 'utf8').trim()) || 0;
  } catch {
    slowMs = 0;
  }
  return slowMs;
}

export default async function handle(msg: RingMessage): Promise<void> {
  const start = Date.now();
  let value: { id?: number; seq?: number } = {};
  try {
    value = JSON.parse(msg.value.toString('utf8')) as { id?: number; seq?: number };
  } catch {
    // not a load message: recorded without id
  }
  // A little simulated I/O, plus the slow-handler fault's latency.
  await sleep(1 + extraDelay(start));
  const line = {
    poller,
    inc,
    pid: process.pid,
    range: msg.range,
    offset: Number(msg.offset),
    key: msg.key,
    id: value.id ?? -1,
    seq: value.seq ?? -1,
    start,
    end: Date.now(),
    attempt: msg.attempt,
  };
  writeSync(fd, `${JSON.stringify(line)}\n`);
}
