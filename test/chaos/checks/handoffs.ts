// Planned handoffs (scale out/in, zombies coming back, a poller cut off from
// Kafka or ZooKeeper that rejoins): how long a range
// paused between its old owner's last message and its new owner's first,
// beyond when the message was available.
import type { HandledRecord } from '../../../poller/handlers/handled-record.js';
import { incKey, type Incarnation } from '../records.js';
import type { LeaseObs } from '../zk-observer.js';
import type { CheckContext } from './context.js';
import { describeFault, overlapping } from './fault-windows.js';
import type { FaultEvent } from '../records.js';
import { brokerFaultInfluenceMs, isBrokerFault } from '../broker-faults-plan.js';

export interface HandoffPauses {
  pauses: number[];
  /**
   * The same, leaving out handoffs during a ZooKeeper node kill, a coordinator
   * kill or a slow-handler spell, handoffs whose new owner was frozen while
   * taking over, and handoffs that were redirected.
   */
  isolated: number[];
  /** Pauses over 500 ms, with the faults that overlapped them. */
  outliers: string[];
}

function incarnationAt(cx: CheckContext, poller: string, t: number): Incarnation | undefined {
  return cx.input.incarnations.find((i) => i.poller === poller && i.startedAt <= t && (i.endedAt === undefined || i.endedAt >= t));
}

/**
 * Faults that stretch a planned handoff by themselves (ZooKeeper elections, a
 * leader change, handlers slowed on purpose, partitions whose Kafka leader
 * is dead or frozen until it is fenced), with a margin.
 */
function disturbed(cx: CheckContext, from: number, to: number): boolean {
  const { faults, sessionTimeoutMs } = cx.input;
  const end = (f: FaultEvent) =>
    isBrokerFault(f.kind) ? f.at + brokerFaultInfluenceMs(f.kind, (f.until ?? f.at) - f.at) : (f.until ?? f.at + sessionTimeoutMs);
  return faults.some(
    (f) =>
      (f.kind === 'zk-kill' || f.kind === 'zk-pause' || f.kind === 'coordinator-kill' || f.kind === 'slow-handler' || isBrokerFault(f.kind)) &&
      f.at <= to + 1_000 &&
      end(f) >= from - 1_000,
  );
}

/**
 * Why a handoff was not direct, if it was not: the range was assigned to a
 * third poller between the two leases, or the observer missed an epoch there
 * (an assignment overwritten before it was read).
 */
function redirectedVia(cx: CheckContext, range: number, l1: LeaseObs, l2: LeaseObs): string | null {
  let prevEpoch: number | undefined;
  for (const e of cx.input.history.epochs) {
    if (e.mtime > l2.ctime) break;
    if (e.mtime >= l1.ctime) {
      if (prevEpoch !== undefined && e.epoch > prevEpoch + 1) return `epoch ${prevEpoch + 1} was never observed: the handoff may have gone elsewhere first`;
      const owner = e.owners[range];
      if (owner && owner !== l1.poller && owner !== l2.poller) return `first assigned to ${owner}, which never took it`;
    }
    prevEpoch = e.epoch;
  }
  return null;
}

/** The handoff of `range` from lease l1 to lease l2, added to `out`, unless it followed a crash. */
function measureHandoff(cx: CheckContext, range: number, l1: LeaseObs, l2: LeaseObs, out: HandoffPauses): void {
  const a = incarnationAt(cx, l1.poller, l1.ctime);
  const b = incarnationAt(cx, l2.poller, l2.ctime);
  if (!a || !b) return;
  const crashed = (a.endedBy === 'kill' && (a.endedAt ?? Infinity) <= l2.ctime) || a.pauses.some((p) => p.from <= l2.ctime && p.to >= l1.ctime);
  // Cut off from ZooKeeper or Kafka: a failover, timed by checks/partition-recovery.ts.
  const partitioned = cx.input.faults.some(
    (f) => (f.kind === 'zk-partition' || f.kind === 'kafka-partition') && f.target === incKey(a.poller, a.inc) && f.at <= l2.ctime && (f.until ?? Infinity) >= l1.ctime,
  );
  if (crashed || partitioned) return;
  const hs = cx.byRange.get(range) ?? [];
  let lastA: HandledRecord | undefined;
  for (const h of hs) if (h.poller === a.poller && h.inc === a.inc && h.start >= l1.ctime && h.start < l2.ctime && (!lastA || h.end > lastA.end)) lastA = h;
  const firstB = hs.find((h) => h.poller === b.poller && h.inc === b.inc && h.start >= l2.ctime);
  if (!lastA || !firstB) return;
  const available = Math.max(lastA.end, cx.ackAt.get(firstB.id) ?? 0);
  const pause = Math.max(0, firstB.start - available);
  out.pauses.push(pause);
  const detour = redirectedVia(cx, range, l1, l2);
  // The new owner frozen (SIGSTOP) in the middle of taking the range over.
  const newOwnerFrozen = b.pauses.some((p) => p.from <= firstB.start && p.to >= lastA.end);
  if (!disturbed(cx, lastA.end, firstB.start) && !detour && !newOwnerFrozen) out.isolated.push(pause);
  if (pause > 500) {
    const why = [...(detour ? [detour] : []), ...overlapping(cx, null, lastA.end - 1_000, firstB.start + 1_000, true).map((g) => describeFault(g, lastA.end))];
    out.outliers.push(`handoff of range ${range} ${incKey(a.poller, a.inc)} -> ${incKey(b.poller, b.inc)} paused ${pause} ms; overlapping: ${why.join(', ') || 'none'}`);
  }
}

export function handoffPauses(cx: CheckContext): HandoffPauses {
  const out: HandoffPauses = { pauses: [], isolated: [], outliers: [] };
  for (const [range, list] of cx.leasesByRange) {
    for (let k = 1; k < list.length; k++) measureHandoff(cx, range, list[k - 1] as LeaseObs, list[k] as LeaseObs, out);
  }
  return out;
}
