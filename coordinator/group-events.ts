import { diff, type Move } from '../ring/index.js';
import type { GroupSnapshot } from './group-snapshot.js';

/** NDJSON events of `ringleader watch --json` (docs/design.md, "CLI"). */
export type GroupEvent =
  | { type: 'leader'; at: string; id: string | null }
  | { type: 'joined'; at: string; poller: string }
  | { type: 'left'; at: string; poller: string; reason: 'drained' | 'lost' }
  | { type: 'assignment'; at: string; epoch: number; moves: Move[]; reason?: string }
  | { type: 'acquired'; at: string; range: number; poller: string; pausedMs: number | null }
  | { type: 'released'; at: string; range: number; poller: string }
  | { type: 'converged'; at: string; epoch: number; ms: number | null }
  | { type: 'problem'; at: string; path: string; error: string };

/**
 * Turns two consecutive snapshots into events. Kept pure (time comes in) so
 * the order rules are unit-tested: leader, membership, assignment, releases
 * before acquisitions, then convergence.
 */
export class GroupEventDiffer {
  private prev: GroupSnapshot | null = null;
  private releasedAt = new Map<number, number>();
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
        this.releasedAt.set(row.range, nowMs);
      }
    }
    for (const row of snap.assignment) {
      const was = prevOwner[row.range] ?? null;
      if (row.owner !== null && was !== row.owner) {
        const released = this.releasedAt.get(row.range);
        out.push({ type: 'acquired', at, range: row.range, poller: row.owner, pausedMs: released === undefined ? null : nowMs - released });
        this.releasedAt.delete(row.range);
      }
    }

    if (snap.converged && snap.epoch !== null && this.convergedEpoch !== snap.epoch) {
      this.convergedEpoch = snap.epoch;
      const since = this.assignmentSeenAt.get(snap.epoch);
      out.push({ type: 'converged', at, epoch: snap.epoch, ms: prev === null || since === undefined ? null : Math.max(0, nowMs - since) });
    }
    return out;
  }
}
