// What the recording handler (recording-handler.ts) writes, how it is
// configured, and the one reader of its files: shared by the demo, the chaos
// run and the end-to-end tests, which all count deliveries from these records.
import { existsSync, readFileSync } from 'node:fs';

/** One handler call, one JSON line. */
export interface HandledRecord {
  /** The poller's id (RECORD_ENV.poller), or its pid when not set. */
  poller: string;
  /** The poller's incarnation: how often this id was restarted (RECORD_ENV.incarnation, default 0). */
  inc: number;
  pid: number;
  range: number;
  /** The Kafka offset as a number: every topic these records come from stays far below 2^53 messages. */
  offset: number;
  key: string | null;
  /** `id` and `seq` of a load message (`ringleader produce`); -1 for any other value. */
  id: number;
  seq: number;
  /** When the call began and ended (ms since the epoch). */
  start: number;
  end: number;
  /** 1 on the first delivery, +1 on each retry. */
  attempt: number;
  /** Set on a call that threw on purpose (RECORD_ENV.failKeys). */
  failed?: true;
}

/** The environment variables that configure the recording handler in each poller process. */
export const RECORD_ENV = {
  /** The file records are appended to (required). Several processes may share one. */
  file: 'RINGLEADER_RECORD_FILE',
  poller: 'RINGLEADER_RECORD_POLLER',
  incarnation: 'RINGLEADER_RECORD_INCARNATION',
  /** Latency of every call in ms (simulated I/O; default 0: none). */
  delayMs: 'RINGLEADER_RECORD_DELAY_MS',
  /** A file whose content, when it exists, is extra latency in ms for every call (read at most every 100 ms). */
  slowFile: 'RINGLEADER_RECORD_SLOW_FILE',
  /** Comma-separated keys whose every call throws (recorded with failed: true). */
  failKeys: 'RINGLEADER_RECORD_FAIL_KEYS',
} as const;

/**
 * One line of a records file, or undefined when it is not a record: the torn
 * last line of a process SIGKILLed while writing it (nothing acknowledged is
 * lost by that: the write comes before the acknowledgement).
 */
export function parseHandledRecord(line: string): HandledRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const r = JSON.parse(line) as HandledRecord;
    return typeof r === 'object' && r !== null && Number.isSafeInteger(r.id) ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The records of one file so far, in file (= handling) order. */
export function readHandledRecords(file: string): HandledRecord[] {
  if (!existsSync(file)) return [];
  const out: HandledRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const r = parseHandledRecord(line);
    if (r) out.push(r);
  }
  return out;
}
