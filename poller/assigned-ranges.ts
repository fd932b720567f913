import type { Logger } from 'pino';
import {
  AssignmentSubscription,
  LeaseStore,
  OffsetStore,
  WriteBatcher,
  type MemberAssignment,
  type GroupPaths,
  type SessionState,
  type ZkSession,
} from '../coordinator/index.js';
import { RangeOwnership, type RangeConsumer } from './range-ownership.js';
import type { Clock } from './clock.js';

export interface AssignedRangesOptions {
  zk: ZkSession;
  paths: GroupPaths;
  pollerId: string;
  ranges: number;
  consumer: RangeConsumer;
  commitIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The ranges the group's assignment gives this process, held through
 * ZooKeeper: the assignment subscription feeds the range state machines
 * (`RangeOwnership`), which take and give back leases in `leases/` and
 * commit to `offsets/`; a session expiry drops every range at once.
 */
export class AssignedRanges {
  readonly leases: LeaseStore;
  readonly offsets: OffsetStore;
  readonly ownership: RangeOwnership;
  readonly subscription: AssignmentSubscription;
  private rangeCount: number;
  private readonly onSession = (s: SessionState) => {
    if (s.type === 'expired') this.ownership.sessionExpired();
  };

  constructor(private readonly opts: AssignedRangesOptions) {
    this.rangeCount = opts.ranges;
    // One batcher: a commit and the lease delete after it may share a multi with other ranges'.
    const writes = new WriteBatcher(opts.zk);
    this.leases = new LeaseStore(opts.zk, opts.paths, opts.pollerId, opts.logger, writes);
    this.offsets = new OffsetStore(opts.zk, opts.paths, this.leases, opts.pollerId, opts.logger, writes);
    this.ownership = new RangeOwnership({
      pollerId: opts.pollerId,
      leases: this.leases,
      offsets: this.offsets,
      consumer: opts.consumer,
      leaseWaitMs: opts.zk.sessionTimeoutMs,
      ...(opts.commitIntervalMs !== undefined ? { commitIntervalMs: opts.commitIntervalMs } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    this.subscription = new AssignmentSubscription(opts.zk, opts.paths, opts.ranges, opts.pollerId, opts.logger);
    this.subscription.on('read', (current: MemberAssignment | null) => this.ownership.follow(current));
  }

  /** Resolves once the assignment was read (and the acquisitions it asks for began). */
  async start(): Promise<void> {
    this.opts.zk.on('state', this.onSession);
    await this.subscription.start();
    this.ownership.start();
  }

  get currentAssignment(): MemberAssignment | null {
    return this.subscription.current;
  }

  /** Handled messages moved an offset: a commit follows as the commit cadence allows. */
  progressed(): void {
    this.ownership.progressed();
  }

  /** A range reached its split point: commit at once (RangeOwnership.commitNow). */
  commitNow(): void {
    this.ownership.commitNow();
  }

  /** The group grew to `ranges` (docs/design.md "Growing a group"): the assignment is followed over that many. */
  grew(ranges: number): void {
    this.ownership.rangesAdded(this.rangeCount, ranges);
    this.rangeCount = ranges;
    this.subscription.grew(ranges);
  }

  ownedRanges(): number[] {
    return this.ownership.ownedRanges();
  }

  /**
   * Stops following the assignment and releases every range, each consumer
   * given `stopTimeoutMs` to finish; the final commits then retry for the
   * session timeout at most (RangeOwnership.close).
   */
  async close(stopTimeoutMs?: number): Promise<void> {
    this.subscription.close();
    this.opts.zk.off('state', this.onSession);
    await this.ownership.close(stopTimeoutMs);
  }
}
