import { diff, type Move } from '../ring/index.js';
import type { GroupSnapshot, RangeView } from './group-snapshot.js';
import type { UnhealthyReason } from './znodes.js';

/**
 * What an acquisition's unserved time counts from: the old owner's last
 * commit of the range or the creation of its lease (the latest activity
 * ZooKeeper knows of), else the release watch saw.
 */
export type UnservedSince = 'last-commit' | 'lease-taken' | 'release';

/** NDJSON events of `ringleader watch --json` (docs/design.md, "CLI"). */
export type GroupEvent =
  | { type: 'leader'; at: string; id: string | null }
  | { type: 'joined'; at: string; poller: string }
  | { type: 'left'; at: string; poller: string; reason: 'drained' | 'lost' }
  | { type: 'assignment'; at: string; epoch: number; moves: Move[]; reason?: string }
  | { type: 'unhealthy'; at: string; poller: string; reason: UnhealthyReason; detail: string; since: string }
  | { type: 'healthy'; at: string; poller: string }
  | {
      type: 'acquired';
      at: string;
      range: number;
      poller: string;
      /** From the release watch saw to this acquisition. */
      pausedMs: number | null;
      /** The poller it came from, when watch saw it held. */
      from?: string;
      /** From the old owner's last activity known to ZooKeeper (see `since`) to this acquisition. */
      unservedMs?: number;
      since?: UnservedSince;
    }
  | { type: 'released'; at: string; range: number; poller: string }
  | { type: 'converged'; at: string; epoch: number; ms: number | null }
  /** A resize's marker appeared (`started`), or went with the cut-over (`committed`) or without it (`rolled-back`). */
  | { type: 'resize'; at: string; state: 'started' | 'committed' | 'rolled-back'; from: number; to: number }
  /** An old partition of the last split was committed up to its split point: the new ranges behind it may start past theirs. */
  | { type: 'parent-drained'; at: string; partition: number; splitAt: number }
  | { type: 'problem'; at: string; path: string; error: string };

/**
 * Turns two consecutive snapshots into events. Kept pure (time comes in) so
 * the order rules are unit-tested: leader, membership, assignment, releases
 * before acquisitions, then convergence.
 */
export class GroupEventDiffer {
  private prev: GroupSnapshot | null = null;
  private released = new Map<number, { at: number; from: string; lastActivity: LastActivity | null }>();
  private assignmentSeenAt = new Map<number, number>();
  private convergedEpoch: number | null = null;
  private knownProblems = new Set<string>();

  next(snap: GroupSnapshot, nowMs: number): GroupEvent[] {
    const at = new Date(nowMs).toISOString();
    const out: GroupEvent[] = [];
    const prev = this.prev;
    this.prev = snap;

    for (const p of snap.problems) {
      const key = `${p.path}\u0000${p.error}`;
      if (!this.knownProblems.has(key)) out.push({ type: 'problem', at, path: p.path, error: p.error });
    }
    this.knownProblems = new Set(snap.problems.map((p) => `${p.path}\u0000${p.error}`));

    if (!prev || prev.leader !== snap.leader) out.push({ type: 'leader', at, id: snap.leader });

    const before = new Map((prev?.pollers ?? []).map((p) => [p.id, p]));
    const after = new Map(snap.pollers.map((p) => [p.id, p]));
    for (const id of after.keys()) if (!before.has(id)) out.push({ type: 'joined', at, poller: id });
    for (const [id, p] of before) {
      if (!after.has(id)) out.push({ type: 'left', at, poller: id, reason: p.state === 'draining' ? 'drained' : 'lost' });
    }
    for (const [id, p] of after) {
      const was = before.get(id)?.unhealthy;
      const u = p.unhealthy;
      if (u && (was?.reason !== u.reason || was.since !== u.since)) {
        out.push({ type: 'unhealthy', at, poller: id, reason: u.reason, detail: u.detail, since: u.since });
      } else if (!u && was) out.push({ type: 'healthy', at, poller: id });
    }

    if (snap.epoch !== null && (prev === null || prev.epoch !== snap.epoch)) {
      const prevOwners = prev?.assignment.map((r) => r.assigned) ?? snap.assignment.map(() => null);
      const owners = snap.assignment.map((r) => r.assigned);
      const moves = prevOwners.length === owners.length ? diff(prevOwners, owners) : [];
      const ev: GroupEvent = { type: 'assignment', at, epoch: snap.epoch, moves };
      if (snap.reason) ev.reason = snap.reason;
      out.push(ev);
      const publishedAt = snap.assignmentAt ? Date.parse(snap.assignmentAt) : NaN;
      this.assignmentSeenAt.set(snap.epoch, Number.isFinite(publishedAt) ? publishedAt : nowMs);
      this.convergedEpoch = null;
    }

    const prevOwner = prev?.assignment.map((r) => r.owner) ?? [];
    for (const row of snap.assignment) {
      const was = prevOwner[row.range] ?? null;
      if (was !== null && was !== row.owner) {
        out.push({ type: 'released', at, range: row.range, poller: was });
        const held = prev?.assignment[row.range];
        this.released.set(row.range, { at: nowMs, from: was, lastActivity: held ? lastActivityOf(held) : null });
      }
    }
    for (const row of snap.assignment) {
      const was = prevOwner[row.range] ?? null;
      if (row.owner !== null && was !== row.owner) {
        out.push(acquisition(at, nowMs, row, this.released.get(row.range)));
        this.released.delete(row.range);
      }
    }

    out.push(...resizeEvents(at, prev, snap));

    if (snap.converged && snap.epoch !== null && this.convergedEpoch !== snap.epoch) {
      this.convergedEpoch = snap.epoch;
      const since = this.assignmentSeenAt.get(snap.epoch);
      out.push({ type: 'converged', at, epoch: snap.epoch, ms: prev === null || since === undefined ? null : Math.max(0, nowMs - since) });
    }
    return out;
  }
}

/** A resize's marker coming and going, and the old partitions of the last split reaching their split points. */
function resizeEvents(at: string, prev: GroupSnapshot | null, snap: GroupSnapshot): GroupEvent[] {
  const out: GroupEvent[] = [];
  const was = prev?.resize ?? null;
  const now = snap.resize ?? null;
  if (now && now.id !== was?.id) out.push({ type: 'resize', at, state: 'started', from: now.from, to: now.to });
  if (was && now?.id !== was.id) {
    out.push({ type: 'resize', at, state: snap.ranges === was.to ? 'committed' : 'rolled-back', from: was.from, to: was.to });
  }
  const parents = snap.split?.parents ?? [];
  const before = prev?.split && prev.split.to === snap.split?.to ? prev.split.parents : null;
  for (const p of parents) {
    const then = before?.[p.partition];
    if (p.remaining === 0 && p.splitAt > 0 && (before === null ? prev !== null : (then?.remaining ?? 0) > 0)) {
      out.push({ type: 'parent-drained', at, partition: p.partition, splitAt: p.splitAt });
    }
  }
  return out;
}

interface LastActivity {
  at: number;
  since: Exclude<UnservedSince, 'release'>;
}

/** The owner's latest activity on a range that ZooKeeper recorded: its last commit there, or taking the lease. */
function lastActivityOf(held: RangeView): LastActivity | null {
  const leaseAt = held.ownerSince ? Date.parse(held.ownerSince) : NaN;
  const commitAt = held.committedBy === held.owner && held.committedAt ? Date.parse(held.committedAt) : NaN;
  if (Number.isFinite(commitAt) && !(leaseAt > commitAt)) return { at: commitAt, since: 'last-commit' };
  if (Number.isFinite(leaseAt)) return { at: leaseAt, since: 'lease-taken' };
  return null;
}

function acquisition(
  at: string,
  nowMs: number,
  row: RangeView,
  released: { at: number; from: string; lastActivity: LastActivity | null } | undefined,
): GroupEvent {
  const ev: Extract<GroupEvent, { type: 'acquired' }> = { type: 'acquired', at, range: row.range, poller: row.owner!, pausedMs: released ? nowMs - released.at : null };
  if (!released) return ev;
  ev.from = released.from;
  // Server time (ZooKeeper's clock) against ours: a skew can't make it shorter than the pause watch saw itself.
  const activity = released.lastActivity;
  ev.unservedMs = activity ? Math.max(nowMs - released.at, nowMs - activity.at) : nowMs - released.at;
  ev.since = activity && nowMs - activity.at >= nowMs - released.at ? activity.since : 'release';
  return ev;
}
