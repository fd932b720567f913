import type { Logger } from 'pino';
import type { AcquireHow, AcquireResult, CommitResult, Lease, Offset } from '../coordinator/index.js';
import type { Clock } from './clock.js';

// What RangeOwnership (range-ownership.ts) works with: the consumer of a
// range, and the lease and offset primitives of coordinator/, as interfaces
// so that unit tests can drive it with stand-ins.

/**
 * What consumes a range while this process holds its lease (the poller drives
 * Kafka; tests use stand-ins). `token` names one acquisition: a consumer
 * started under a token that has since been dropped must not keep running.
 */
export interface RangeConsumer {
  /** The range's lease create was sent (maybe again): reads that do not need the lease may begin. */
  prepare?(range: number): void;
  /** Called only after the lease is ours and `offsets/<range>` was read after it (null: nothing committed yet). */
  start(range: number, from: Offset | null, token: number): Promise<void> | void;
  /** Graceful release: stop fetching, finish in-flight work (within `timeoutMs` when given); resolve with the offset to commit, or null. */
  stop(range: number, timeoutMs?: number): Promise<Offset | null>;
  /** A graceful stop under way (`stop` called) ends within `timeoutMs`, whatever limit it was given. */
  hurry?(range: number, timeoutMs: number): void;
  /** The lease is gone: drop everything uncommitted at once. With `token`, only what was started under it. */
  lost(range: number, token?: number): void;
  /** Lowest unacknowledged offset, for periodic commits (null: nothing to commit). */
  committable(range: number): Offset | null;
}

/** The lease primitives of coordinator/ (`LeaseStore`), as this state machine uses them. */
export interface LeasePort {
  tryAcquire(range: number, epoch: number, how?: AcquireHow): Promise<AcquireResult>;
  waitForRelease(range: number, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  release(lease: Lease): Promise<void>;
  isCurrent(lease: Lease): boolean;
  /** An acquisition gave up without a lease: delete the lease if a create whose reply was lost made it ours. */
  dropOrphan(range: number): Promise<void>;
}

/** The offset primitives of coordinator/ (`OffsetStore`). */
export interface OffsetPort {
  read(range: number): Promise<Offset | null>;
  commit(lease: Lease, offset: Offset): Promise<CommitResult>;
}

export interface RangeOwnershipOptions {
  pollerId: string;
  leases: LeasePort;
  offsets: OffsetPort;
  consumer: RangeConsumer;
  /** How long one wait for another holder's release lasts before trying again (the session timeout). */
  leaseWaitMs: number;
  /**
   * At close, how long the final commits and lease deletes may keep retrying
   * after the consumers' stop limit (default: `leaseWaitMs`, the session
   * timeout: a server silent for that long has expired the session, and with
   * it the lease every retried commit is checked against).
   */
  finalCommitMs?: number;
  /** Least time between two commit passes, and the period of the sweep for consumers that never call `progressed()` (default 100). */
  commitIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}
