// A module handler (`ringleader poller --handler test/support/recording-handler.mjs`)
// for end-to-end tests: appends one JSON line per handler call to the file
// named by RECORD_FILE, synchronously, so that lines survive a SIGKILL and
// several poller processes can share one file (O_APPEND).
//
//   {poller, range, offset, key, id, seq, start, end, attempt, failed?}
//
// RECORD_POLLER   name written as `poller` (default: the pid)
// RECORD_DELAY_MS wait this long in every call (default 0)
// RECORD_FAIL_KEYS comma-separated keys whose every call throws (recorded with failed:true)
import { appendFileSync } from 'node:fs';

const file = process.env.RECORD_FILE;
if (!file) throw new Error('recording-handler: set RECORD_FILE');
const poller = process.env.RECORD_POLLER ?? String(process.pid);
const delayMs = Number(process.env.RECORD_DELAY_MS ?? '0');
const failKeys = new Set((process.env.RECORD_FAIL_KEYS ?? '').split(',').filter((k) => k !== ''));

export default async function recordingHandler(msg) {
  const start = Date.now();
  let value = {};
  try {
    value = JSON.parse(msg.value.toString('utf8'));
  } catch {
    // not a load message: record what we have
  }
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  const failed = msg.key !== null && failKeys.has(msg.key);
  const line = {
    poller,
    range: msg.range,
    offset: Number(msg.offset),
    key: msg.key,
    id: value.id,
    seq: value.seq,
    start,
    end: Date.now(),
    attempt: msg.attempt,
  };
  if (failed) line.failed = true;
  appendFileSync(file, `${JSON.stringify(line)}\n`);
  if (failed) throw new Error(`recording-handler: key ${msg.key} always fails`);
}
