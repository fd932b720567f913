/**
 * Messages between bench/scale.ts and its worker processes
 * (bench/scale-worker.ts) over the fork IPC channel. Ownership events travel
 * in batches: a rebalance of 16,384 ranges makes tens of thousands of them.
 */

export interface WorkerSettings {
  zk: string;
  group: string;
  root: string;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  settleMs: number;
  /** Messages per second each range's no-op source advances by (0: nothing to commit). */
  rate: number;
  /** Members of this worker started at once. */
  startConcurrency: number;
}

export type ToWorker =
  | { t: 'init'; settings: WorkerSettings }
  | { t: 'start'; ids: string[] }
  | { t: 'stop'; id: string }
  | { t: 'sample'; req: number }
  | { t: 'exit' };

/**
 * One event, as a tuple to keep batches small. `at` is the wall clock in
 * milliseconds with sub-millisecond precision (the same clock in every process).
 *  a/r/l: a range acquired / released / lost by a member;
 *  p: the member, leading, published an epoch with these owners;
 *  s: the member's assignment subscription saw a new epoch;
 *  L: the member became leader (true) or follower (false).
 */
export type OwnershipEvent =
  | ['a' | 'r' | 'l', member: string, range: number, at: number]
  | ['p', member: string, epoch: number, at: number, owners: (string | null)[]]
  | ['s', member: string, epoch: number, at: number]
  | ['L', member: string, leader: boolean, at: number];

export type FromWorker =
  | { t: 'ready' }
  | { t: 'started'; ids: string[]; failed: { id: string; error: string }[]; retries: number }
  | { t: 'stopped'; id: string; error?: string }
  | { t: 'events'; events: OwnershipEvent[] }
  | { t: 'sample'; req: number; bytesRead: Record<string, number> }
  | { t: 'fatal'; error: string };

/** The wall clock with sub-millisecond precision, comparable across processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
