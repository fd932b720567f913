// A handler module (`ringleader poller --handler dist/poller/handlers/recording-handler.js`)
// that appends one HandledRecord line per call to the file named by
// RINGLEADER_RECORD_FILE (see handled-record.ts for every setting). The demo,
// the chaos run and the end-to-end tests count deliveries from these files.
//
// The write is synchronous: it reaches the kernel before the handler resolves
// (and the message is acknowledged), so even a SIGKILL right after cannot lose
// the record. The file is opened for appending, so several pollers may share it.
import { openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RingMessage } from '../message.js';
import { RECORD_ENV, type HandledRecord } from './handled-record.js';

const file = process.env[RECORD_ENV.file];
if (!file) throw new Error(`recording handler: set ${RECORD_ENV.file} to the file to record to`);
const poller = process.env[RECORD_ENV.poller] ?? String(process.pid);
const inc = Number(process.env[RECORD_ENV.incarnation] ?? '0');
const delayMs = Number(process.env[RECORD_ENV.delayMs] ?? '0');
const slowFile = process.env[RECORD_ENV.slowFile];
const failKeys = new Set((process.env[RECORD_ENV.failKeys] ?? '').split(',').filter((k) => k !== ''));
const fd = openSync(file, 'a');

let slowMs = 0;
let slowCheckedAt = 0;
/** The slow file's latency, read at most every 100 ms (the chaos run's slow-handler fault). */
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

function loadFields(value: Buffer): { id: number; seq: number } {
  try {
    const v = JSON.parse(value.toString('utf8')) as { id?: unknown; seq?: unknown };
    return { id: typeof v.id === 'number' ? v.id : -1, seq: typeof v.seq === 'number' ? v.seq : -1 };
  } catch {
    return { id: -1, seq: -1 };
  }
}

export default async function recordingHandler(msg: RingMessage): Promise<void> {
  const start = Date.now();
  const { id, seq } = loadFields(msg.value);
  const wait = delayMs + extraDelay(start);
  if (wait > 0) await sleep(wait);
  const failed = msg.key !== null && failKeys.has(msg.key);
  const record: HandledRecord = {
    poller,
    inc,
    pid: process.pid,
    range: msg.range,
    offset: Number(msg.offset),
    key: msg.key,
    id,
    seq,
    start,
    end: Date.now(),
    attempt: msg.attempt,
    ...(failed ? { failed: true as const } : {}),
  };
  writeSync(fd, `${JSON.stringify(record)}\n`);
  if (failed) throw new Error(`recording handler: key ${msg.key} always fails`);
}
