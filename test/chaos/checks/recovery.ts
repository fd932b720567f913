// How long the group took to recover from a poller's SIGKILL or SIGSTOP (its
// ranges handled again) and from the leading coordinator's SIGKILL (a new
// epoch, a new leader).
import type { LeaseObs } from '../zk-observer.js';
import type { CheckContext } from './context.js';
import { describeFault, influenceEnd, overlapping } from './fault-windows.js';

export interface PollerRecoveries {
  killMs: number[];
  /** Kills away from a ZooKeeper leader election. */
  killMsAwayFromZkElection: number[];
  /** Kills that overlapped no other failure. */
  killMsIsolated: number[];
  zombieMs: number[];
  zombieMsAwayFromZkElection: number[];
  /** Kills that took longer than the target, with the faults that overlapped them. */
  outliers: string[];
}

/** The ranges `poller` held at t. */
export function heldAt(cx: CheckContext, t: number, poller: string): number[] {
  const out: number[] = [];
  for (const [range, list] of cx.leasesByRange) {
    let cur: LeaseObs | undefined;
    for (const l of list) if (l.ctime <= t) cur = l;
    if (cur && cur.poller === poller && (cur.goneAt === undefined || cur.goneAt > t)) out.push(range);
  }
  return out;
}

/**
 * From t until the last of the ranges the poller held at t was handled again.
 * `resumedAt`: a paused poller that came back, re-registered and got the
 * range again (rendezvous hashing tends to give it its old ranges) has
 * recovered it too; anything it started before that is a zombie start,
 * counted separately. Only time a message was waiting counts: a range idle
 * at t whose next message was sent later (a resize moves keys onto it) is
 * timed from that send, and at most until another poller took it over.
 */
function recoveryFrom(cx: CheckContext, t: number, poller: string, inc: number, resumedAt?: number): number | null {
  let worst: number | null = null;
  for (const range of heldAt(cx, t, poller)) {
    const next = (cx.byRange.get(range) ?? []).find(
      (h) => h.start > t && (!(h.poller === poller && h.inc === inc) || (resumedAt !== undefined && h.start > resumedAt)),
    );
    if (!next) continue;
    let waited = waitedSince(cx, next, t);
    // Sent after another poller had taken the range over: the range had
    // recovered by then, and a longer wait has another cause (its partition's
    // leader down, a split's order barrier), which is not this failure's.
    const retaken = (cx.leasesByRange.get(range) ?? []).find((l) => l.ctime > t);
    if (retaken && (cx.ackAt.get(next.id) ?? t) > retaken.ctime) waited = Math.min(waited, retaken.ctime - t);
    worst = Math.max(worst ?? 0, waited);
  }
  return worst;
}

/** How long `h` waited because of a failure at t: from t, or from its send if that came later. */
export function waitedSince(cx: CheckContext, h: { id: number; start: number }, t: number): number {
  return h.start - Math.max(t, cx.ackAt.get(h.id) ?? t);
}

export function pollerRecoveries(cx: CheckContext): PollerRecoveries {
  const { faults, sessionTimeoutMs } = cx.input;
  // A ZooKeeper leader election restarts every session's expiry clock, so a
  // crash near a killed (or frozen) ZooKeeper leader legitimately takes longer to detect.
  const zkLeaderKills = faults.filter((f) => (f.kind === 'zk-kill' || f.kind === 'zk-pause') && f.detail === 'leader');
  const nearZkElection = (t: number): boolean =>
    zkLeaderKills.some((z) => z.at <= t + sessionTimeoutMs + 2_000 && (z.until ?? z.at) >= t - sessionTimeoutMs);
  const killMax = sessionTimeoutMs + 1_000;
  const out: PollerRecoveries = { killMs: [], killMsAwayFromZkElection: [], killMsIsolated: [], zombieMs: [], zombieMsAwayFromZkElection: [], outliers: [] };
  for (const f of faults) {
    if (f.kind !== 'poller-kill' && f.kind !== 'poller-pause') continue;
    const [poller, incText] = f.target.split('#');
    const r = recoveryFrom(cx, f.at, poller as string, Number(incText), f.kind === 'poller-pause' ? (f.until ?? undefined) : undefined);
    if (r === null) continue;
    (f.kind === 'poller-kill' ? out.killMs : out.zombieMs).push(r);
    if (!nearZkElection(f.at)) (f.kind === 'poller-kill' ? out.killMsAwayFromZkElection : out.zombieMsAwayFromZkElection).push(r);
    if (f.kind !== 'poller-kill') continue;
    const others = overlapping(cx, f, f.at, influenceEnd(cx, f));
    if (others.length === 0) out.killMsIsolated.push(r);
    if (r > killMax) {
      out.outliers.push(`kill -9 of ${f.target} recovered in ${r} ms; overlapping: ${others.map((g) => describeFault(g, f.at)).join(', ') || 'none'}`);
    }
  }
  return out;
}

export interface CoordinatorRecoveries {
  /** SIGKILL of the leading coordinator -> next assignment epoch. */
  epochMs: number[];
  /** SIGKILL of the leading coordinator -> another leader elected. */
  leaderMs: number[];
}

export function coordinatorRecoveries(cx: CheckContext): CoordinatorRecoveries {
  const { history } = cx.input;
  const out: CoordinatorRecoveries = { epochMs: [], leaderMs: [] };
  for (const f of cx.input.faults) {
    if (f.kind !== 'coordinator-kill') continue;
    const e = history.epochs.find((x) => x.mtime > f.at);
    if (e) out.epochMs.push(e.mtime - f.at);
    // Another leader: another id, or the killed coordinator restarted and
    // elected under a new candidate node (records that name the node).
    const atKill = history.leaders.filter((x) => x.at <= f.at).pop();
    const l = history.leaders.find(
      (x) => x.at > f.at && x.leader !== null && (x.leader !== f.target || (x.node != null && atKill?.node != null && x.node !== atKill.node)),
    );
    if (l) out.leaderMs.push(l.at - f.at);
  }
  return out;
}
