// One poller at a time per range: no two pollers' handlings of a range
// overlap, and a zombie (SIGSTOPped past its lease) starts nothing after
// SIGCONT in the tenure it lost, nor does a poller cut off from ZooKeeper
// once its lease is gone (self-fencing). One pass over each range finds them
// all, so their examples keep the order they were found in.
import type { HandledRecord } from '../../../poller/handlers/handled-record.js';
import { incKey, type FaultEvent } from '../records.js';
import type { LeaseObs } from '../zk-observer.js';
import type { CheckContext } from './context.js';

export interface ExclusivityResult {
  overlapViolations: number;
  /** Messages a zombie started after SIGCONT, or a poller cut off from ZooKeeper started, in a tenure it had lost. */
  zombieStarts: number;
}

/**
 * A zk-partition of h's incarnation under way when h started (or over for
 * less than a session timeout: the poller may not have heard yet), the range
 * held by that poller since before the cut.
 */
function zkCut(cx: CheckContext, h: HandledRecord): FaultEvent | undefined {
  const key = incKey(h.poller, h.inc);
  return cx.input.faults.find(
    (f) => f.kind === 'zk-partition' && f.target === key && f.at <= h.start && h.start <= (f.until ?? Infinity) + cx.input.sessionTimeoutMs && cx.leaseAt(h.range, f.at)?.poller === h.poller,
  );
}

/** A SIGSTOP that a handling of a tenure begun before it ran into. */
export function zombiePause(cx: CheckContext, h: HandledRecord, lease: LeaseObs | undefined): { from: number; to: number } | undefined {
  const pauses = cx.incarnationOf(h)?.pauses ?? [];
  return pauses.find((p) => (lease ? lease.ctime < p.from : true) && h.end > p.from && h.start < p.to + 60_000);
}

/** The lease h ran under was gone (seen deleted, or replaced by a newer lease) before h started. */
function leaseLost(cx: CheckContext, h: HandledRecord, lease: LeaseObs | undefined): boolean {
  const inc = cx.incarnationOf(h);
  if (!lease || (inc && lease.ctime < inc.startedAt)) return true;
  if (lease.goneAt !== undefined && lease.goneAt <= h.start) return true;
  return (cx.leasesByRange.get(h.range) ?? []).some((l) => l.czxid > lease.czxid && l.ctime <= h.start);
}

export function checkExclusivity(cx: CheckContext): ExclusivityResult {
  let overlapViolations = 0;
  let zombieStarts = 0;
  for (const [range, list] of cx.byRange) {
    const latest = new Map<string, HandledRecord>();
    for (const h of list) {
      const hk = incKey(h.poller, h.inc);
      const tenure = cx.tenureOf(h);
      const hz = zombiePause(cx, h, tenure);
      // A start after SIGCONT is a violation only if the lease was lost by then: when a
      // ZooKeeper leader election resets session expiry the paused session may survive.
      if (hz && h.start >= hz.to && leaseLost(cx, h, tenure)) {
        zombieStarts++;
        cx.examples.add('zombieStarts', `${hk} range ${range} offset ${h.offset} started at ${h.start}, after SIGCONT at ${hz.to} in a tenure from before its SIGSTOP at ${hz.from}`);
      } else if (!hz) {
        const cut = zkCut(cx, h);
        if (cut && leaseLost(cx, h, tenure)) {
          zombieStarts++;
          cx.examples.add('zombieStarts', `${hk} range ${range} offset ${h.offset} started at ${h.start}, cut off from ZooKeeper since ${cut.at}, its lease gone`);
        }
      }
      for (const [gk, g] of latest) {
        if (gk === hk || g.end <= h.start) continue;
        if (hz || zombiePause(cx, g, cx.tenureOf(g))) continue; // a zombie's in-flight message (its commits are checked apart)
        overlapViolations++;
        cx.examples.add('overlapViolations', `range ${range}: ${gk} offset ${g.offset} [${g.start},${g.end}] and ${hk} offset ${h.offset} [${h.start},${h.end}]`);
      }
      const prev = latest.get(hk);
      if (!prev || h.end > prev.end) latest.set(hk, h);
    }
  }
  return { overlapViolations, zombieStarts };
}
