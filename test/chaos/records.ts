// Shapes shared by the run and the checker, and the readers of the NDJSON files.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readHandledRecords, type HandledRecord } from '../../poller/handlers/handled-record.js';
import type { ProducedRecord } from './producer.js';
import type { PlainConsumed } from './plain-consumer.js';
import type { FaultKind } from './schedule.js';

/** One life of a poller process (a restart after SIGKILL is a new incarnation of the same id). */
export interface Incarnation {
  poller: string;
  inc: number;
  pid: number;
  startedAt: number;
  endedAt?: number;
  /** How it ended: SIGKILL by a fault, drained by a fault, stopped at the end of the run, or exited on its own. */
  endedBy?: 'kill' | 'drain' | 'stop' | 'exit';
  /** When a graceful stop was asked for (the drain request, or SIGTERM at the end of the run). */
  stopAt?: number;
  pauses: { from: number; to: number }[];
}

export interface FaultEvent {
  n: number;
  kind: FaultKind;
  target: string;
  at: number;
  /** End of the fault (restart, SIGCONT, slow period over). */
  until?: number;
  detail?: string;
}

export const incKey = (poller: string, inc: number): string => `${poller}#${inc}`;

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a torn last line of a SIGKILLed process: nothing acknowledged is lost by it
    }
  }
  return out;
}

export function readProduced(file: string): ProducedRecord[] {
  return readLines<ProducedRecord>(file);
}

/** What the plain consumer received (`plain-consumer.ndjson`; none in records from before it). */
export function readPlainConsumed(dir: string): PlainConsumed[] {
  return readLines<PlainConsumed>(join(dir, 'plain-consumer.ndjson'));
}

/** Every `handled-*.ndjson` the recording handler wrote in the records folder, each file in its own (= handling) order. */
export function readHandled(dir: string): HandledRecord[] {
  const out: HandledRecord[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith('handled-') && f.endsWith('.ndjson')) out.push(...readHandledRecords(join(dir, f)));
  }
  return out;
}

/** A poller learning that ZooKeeper expired its session (from its own log). */
export interface SessionExpiry {
  poller: string;
  inc: number;
  /** When the poller learned of it: the server expired the session earlier, when its leases vanished. */
  at: number;
  /** The ranges it logged lost to this expiry ("range lost", why "session expired"). */
  ranges?: number[];
}

/**
 * Every session expiry the pollers logged (`poller-<id>-<inc>.log`, the
 * ZkSession's warning). An expiry drops the poller's leases with whatever it
 * handled and had not committed yet, just as a crash does.
 */
export function readSessionExpiries(dir: string): SessionExpiry[] {
  const out: SessionExpiry[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^poller-(.+)-(\d+)\.log$/.exec(f);
    if (!m) continue;
    let last: SessionExpiry | undefined;
    for (const l of readLines<{ component?: string; msg?: string; time?: number; range?: number; why?: string }>(join(dir, f))) {
      if (typeof l.time !== 'number') continue;
      if (l.component === 'zk-session' && l.msg?.startsWith('ZooKeeper session expired')) {
        last = { poller: m[1] as string, inc: Number(m[2]), at: l.time, ranges: [] };
        out.push(last);
      } else if (last && l.msg === 'range lost' && l.why === 'session expired' && typeof l.range === 'number' && l.time - last.at <= 1_000) {
        last.ranges!.push(l.range);
      }
    }
  }
  return out;
}
