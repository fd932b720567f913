import type { Lease } from '../coordinator/index.js';

// The per-range record of RangeOwnership (range-ownership.ts).

/** A range's life cycle in this process, as named in model/: idle -> acquiring -> owned -> releasing -> idle. */
export type OwnershipState = 'idle' | 'acquiring' | 'owned' | 'releasing';

/**
 * One range. `token` grows with every acquisition and every loss, so work
 * begun under an older token (an acquisition awaiting ZooKeeper or Kafka, a
 * release) can tell, after each await, that the range has moved on.
 */
export interface Slot {
  state: OwnershipState;
  token: number;
  lease: Lease | null;
  abort: AbortController | null;
  acquiredAt: number;
  /** The acquisition or release under way, for close() to wait on. */
  task: Promise<void> | null;
}

/** One acquisition: its token, when it began, and what aborts it. */
export interface Attempt {
  token: number;
  began: number;
  signal: AbortSignal;
}

export function idleSlot(): Slot {
  return { state: 'idle', token: 0, lease: null, abort: null, acquiredAt: 0, task: null };
}
