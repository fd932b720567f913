import type { RangeView } from '../../coordinator/index.js';

/**
 * Where a range stands between the assignment and the leases:
 * - settled: held by the poller it is assigned to
 * - moving: assigned to one poller, still held by another
 * - waiting: assigned, but nobody holds its lease yet
 * - unassigned: no assignment names it (held or not)
 */
export type RangeState = 'settled' | 'moving' | 'waiting' | 'unassigned';

export function rangeState(r: Pick<RangeView, 'assigned' | 'owner'>): RangeState {
  if (r.assigned === null) return 'unassigned';
  if (r.owner === null) return 'waiting';
  return r.owner === r.assigned ? 'settled' : 'moving';
}

export interface RangeCounts {
  settled: number;
  moving: number;
  waiting: number;
  unassigned: number;
  /** Unassigned ranges that a poller still holds (before the first assignment, or when it is unreadable). */
  heldUnassigned: number;
}

export function countRangeStates(assignment: readonly RangeView[]): RangeCounts {
  const c: RangeCounts = { settled: 0, moving: 0, waiting: 0, unassigned: 0, heldUnassigned: 0 };
  for (const r of assignment) {
    c[rangeState(r)]++;
    if (r.assigned === null && r.owner !== null) c.heldUnassigned++;
  }
  return c;
}

/** Ranges nobody holds. */
export function unownedCount(c: RangeCounts): number {
  return c.waiting + c.unassigned - c.heldUnassigned;
}

/** Ranges held by a poller other than the one assigned (moving, or held without any assignment). */
export function offAssignmentCount(c: RangeCounts): number {
  return c.moving + c.heldUnassigned;
}
