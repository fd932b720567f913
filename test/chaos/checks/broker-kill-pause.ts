// How long a Kafka broker fault stalls the ranges: for each broker kill (and
// freeze), the longest pause of any range's handling around it, and the same
// for a plain kafkajs consumer reading the topic in the same run (the
// baseline: a consumer that only follows partition leaders). Both see the
// same producer, so a stall of the load shows in both alike. A range that
// changed owner across the fault (another fault moved it: a kill, a drain)
// is left out: its pause is that fault's, measured by its own figures.
import type { FaultEvent } from '../records.js';
import type { CheckContext } from './context.js';

/** A range that saw nothing for this long before the fault was idle, not stalled: left out. */
const ACTIVE_WITHIN_MS = 2_000;

export interface BrokerStalls {
  /** Per broker kill: the longest pause of any range's handling around it. */
  killPauseMs: number[];
  /** Per broker kill: the plain consumer's longest gap of any partition around it. */
  plainKillMs: number[];
  /** The same two around each broker freeze (SIGSTOP). */
  pausePauseMs: number[];
  plainPauseMs: number[];
}

/**
 * The gap around t in one range's sorted times: from the last time at or
 * before t to the first after it; null when the range was idle before t or
 * nothing came after.
 */
export function gapAround(times: Stamp[], t: number): number | null {
  let prev: Stamp | undefined;
  let next: Stamp | undefined;
  for (const x of times) {
    if (x.at <= t) prev = x;
    else {
      next = x;
      break;
    }
  }
  if (prev === undefined || next === undefined || t - prev.at > ACTIVE_WITHIN_MS || prev.by !== next.by) return null;
  return next.at - prev.at;
}

/** A handling (or a receipt) and who did it. */
export interface Stamp {
  at: number;
  by: string;
}

/** The longest gap around t over all ranges; null when no range was active. */
export function longestGapAround(byRange: Map<number, Stamp[]>, t: number): number | null {
  let worst: number | null = null;
  for (const times of byRange.values()) {
    const g = gapAround(times, t);
    if (g !== null) worst = Math.max(worst ?? 0, g);
  }
  return worst;
}

function sortedTimes<T>(items: Iterable<T>, key: (x: T) => number, stamp: (x: T) => Stamp): Map<number, Stamp[]> {
  const out = new Map<number, Stamp[]>();
  for (const x of items) {
    const list = out.get(key(x));
    if (list) list.push(stamp(x));
    else out.set(key(x), [stamp(x)]);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

export function brokerStalls(cx: CheckContext): BrokerStalls {
  const handled = sortedTimes(cx.input.handled, (h) => h.range, (h) => ({ at: h.start, by: `${h.poller}#${h.inc}` }));
  const plain = sortedTimes(cx.input.plainConsumed ?? [], (p) => p.partition, (p) => ({ at: p.at, by: 'plain' }));
  const out: BrokerStalls = { killPauseMs: [], plainKillMs: [], pausePauseMs: [], plainPauseMs: [] };
  const measure = (f: FaultEvent, ours: number[], theirs: number[]) => {
    const a = longestGapAround(handled, f.at);
    if (a !== null) ours.push(a);
    const b = longestGapAround(plain, f.at);
    if (b !== null) theirs.push(b);
  };
  for (const f of cx.input.faults) {
    if (f.kind === 'broker-kill') measure(f, out.killPauseMs, out.plainKillMs);
    else if (f.kind === 'broker-pause') measure(f, out.pausePauseMs, out.plainPauseMs);
  }
  return out;
}
