import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { readAssignment } from './assignment-reader.js';
import { LeaseStore, type Lease } from './lease-store.js';
import { OffsetStore } from './offset-store.js';
import type { OffsetRecord, AssignmentRecord } from './znodes.js';

/**
 * What consumes a range while this process holds its lease. The poller's
 * implementation drives Kafka; tests use a stand-in that records what it holds.
 */
export interface RangeWorker {
  /** Called only after the lease is ours and `offsets/<range>` was read. */
  start(range: number, from: OffsetRecord | null, lease: Lease): Promise<void> | void;
  /** Graceful release: stop fetching, finish in-flight work (within `timeoutMs` when given); resolve with the offset to commit (or null). */
  stop(range: number, timeoutMs?: number): Promise<string | null>;
  /** The lease is gone (session expired, or a commit was fenced): drop everything uncommitted at once. */
  lost(range: number): void;
  /** Lowest unacknowledged offset, for periodic commits (null: nothing new). */
  committable(range: number): string | null;
}

/** Range states, as named in model/: idle -> acquiring -> owned -> releasing -> idle. */
export type RangeState = 'idle' | 'acquiring' | 'owned' | 'releasing';

interface Slot {
  state: RangeState;
  lease: Lease | null;
  abort: AbortController | null;
  acquiredAt: number;
}

export interface AssignmentFollowerOptions {
  zk: ZkSession;
  paths: GroupPaths;
  pollerId: string;
  ranges: number;
  worker: RangeWorker;
  commitIntervalMs?: number;
  logger?: Logger;
}

/**
 * The poller's side of the protocol for each range (model/: `acquire`,
 * `commit`, `release`, `expire`): follows `assignment`, acquires the lease
 * of each range assigned to us (waiting for the previous holder to release
 * it), starts the worker from `offsets/<range>`, commits periodically
 * (fenced by the lease), and on reassignment stops the worker, commits and
 * deletes the lease. On session expiry every range is dropped uncommitted.
 *
 * Events: `acquired` {range, epoch, waitedMs}, `released` {range}, `lost` {range, why}, `assignment` (AssignmentRecord), `committed` {range, offset}.
 */
export class AssignmentFollower extends EventEmitter {
  readonly leases: LeaseStore;
  readonly offsets: OffsetStore;
  private readonly slots: Slot[];
  private readonly log: Logger;
  private assignment: AssignmentRecord | null = null;
  private stopped = false;
  private commitTimer: NodeJS.Timeout | null = null;
  private committing = false;
  private readonly onAssignmentChanged = () => void this.refreshAssignment();
  private readonly onSession = (s: SessionState) => this.handleSession(s);

  constructor(private readonly opts: AssignmentFollowerOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'assignment-follower', poller: opts.pollerId });
    this.leases = new LeaseStore(opts.zk, opts.paths, opts.pollerId, opts.logger);
    this.offsets = new OffsetStore(opts.zk, opts.paths, this.leases, opts.pollerId, opts.logger);
    this.slots = Array.from({ length: opts.ranges }, () => ({ state: 'idle' as RangeState, lease: null, abort: null, acquiredAt: 0 }));
  }

  async start(): Promise<void> {
    this.opts.zk.on('state', this.onSession);
    await this.refreshAssignment();
    this.commitTimer = setInterval(() => void this.commitAll(), this.opts.commitIntervalMs ?? 500);
  }

  get currentAssignment(): AssignmentRecord | null {
    return this.assignment;
  }

  stateOf(range: number): RangeState {
    return this.slots[range]?.state ?? 'idle';
  }

  /** Ranges whose lease we hold (owned or still releasing). */
  ownedRanges(): number[] {
    const out: number[] = [];
    this.slots.forEach((s, r) => {
      if (s.state === 'owned' || s.state === 'releasing') out.push(r);
    });
    return out;
  }

  private desired(range: number): boolean {
    return !this.stopped && this.assignment?.owners[range] === this.opts.pollerId;
  }

  private handleSession(s: SessionState): void {
    if (s.type === 'expired') {
      for (let r = 0; r < this.slots.length; r++) this.drop(r, 'session expired');
    } else if (s.type === 'session' && !s.first) {
      void this.refreshAssignment();
    } else if (s.type === 'reconnected') {
      void this.refreshAssignment();
    }
  }

  private async refreshAssignment(): Promise<void> {
    if (this.stopped) return;
    try {
      const read = await readAssignment(this.opts.zk, this.opts.paths, this.opts.ranges, this.onAssignmentChanged);
      if (read.problem) {
        // Never act on garbage: keep following the last valid assignment.
        this.log.error({ problem: read.problem }, 'ignoring unusable assignment');
        this.emit('problem', read.problem);
      } else if (read.record && (!this.assignment || read.record.epoch >= this.assignment.epoch)) {
        const changed = !this.assignment || read.record.epoch !== this.assignment.epoch;
        this.assignment = read.record;
        if (changed) {
          this.log.info({ epoch: read.record.epoch, mine: this.countMine() }, 'assignment received');
          this.emit('assignment', read.record);
        }
      }
    } catch (err) {
      this.log.warn({ err }, 'cannot read the assignment; retrying');
      setTimeout(() => void this.refreshAssignment(), 500).unref();
    }
    this.reconcile();
  }

  private countMine(): number {
    return this.assignment?.owners.filter((o) => o === this.opts.pollerId).length ?? 0;
  }

  /** Brings every range's state towards what the assignment wants. */
  private reconcile(): void {
    for (let r = 0; r < this.slots.length; r++) {
      const slot = this.slots[r]!;
      const want = this.desired(r);
      if (want && slot.state === 'idle') void this.acquire(r);
      else if (!want && slot.state === 'owned') void this.release(r);
      else if (!want && slot.state === 'acquiring') slot.abort?.abort();
    }
  }

  private async acquire(range: number): Promise<void> {
    const slot = this.slots[range]!;
    slot.state = 'acquiring';
    const abort = new AbortController();
    slot.abort = abort;
    const began = Date.now();
    let delay = 100;
    try {
      while (this.desired(range) && !abort.signal.aborted && slot.state === 'acquiring') {
        try {
          const epoch = this.assignment?.epoch ?? 0;
          const res = await this.leases.tryAcquire(range, epoch);
          if ('lease' in res) {
            if (slot.state !== 'acquiring') {
              // Session expired while we waited for the reply: the lease died with it.
              return;
            }
            slot.lease = res.lease;
            const from = await this.offsets.read(range);
            if (slot.state !== 'acquiring' || !this.leases.isCurrent(res.lease)) return;
            await this.opts.worker.start(range, from, res.lease);
            if (slot.state !== 'acquiring' || slot.lease !== res.lease || !this.leases.isCurrent(res.lease)) {
              // The session expired while the worker was starting: it must not
              // keep consuming — unless a newer acquisition has taken the range
              // over meanwhile, and the worker is now its.
              const supersededByNewer = slot.abort !== null && slot.abort !== abort;
              if (!supersededByNewer && (slot.state as RangeState) !== 'owned') this.opts.worker.lost(range);
              return;
            }
            slot.state = 'owned';
            slot.acquiredAt = Date.now();
            this.log.info({ range, epoch, from: from?.offset ?? null, waitedMs: Date.now() - began }, 'range acquired');
            this.emit('acquired', { range, epoch, waitedMs: Date.now() - began });
            if (!this.desired(range)) void this.release(range);
            return;
          }
          this.log.debug({ range, heldBy: res.heldBy?.poller ?? null }, 'lease held by another poller; waiting for its release');
          await this.leases.waitForRelease(range, this.opts.zk.sessionTimeoutMs, abort.signal);
          delay = 100;
        } catch (err) {
          this.log.warn({ err, range }, 'acquire failed; retrying');
          if (slot.lease) {
            const lease = slot.lease;
            slot.lease = null;
            await this.leases.release(lease).catch(() => undefined);
          }
          await sleep(delay, abort.signal);
          delay = Math.min(delay * 2, 5_000);
        }
      }
    } finally {
      if (slot.state === 'acquiring' && slot.abort === abort) {
        slot.state = 'idle';
        slot.abort = null;
        if (slot.lease) {
          const lease = slot.lease;
          slot.lease = null;
          await this.leases.release(lease).catch(() => undefined);
        }
        if (this.desired(range)) setTimeout(() => this.reconcile(), 50).unref();
      } else if (slot.abort === abort) {
        slot.abort = null;
      }
    }
  }

  /**
   * Graceful handoff of one range: stop, commit what was acknowledged, delete
   * the lease. A ZooKeeper hiccup in the commit or the delete is retried for
   * as long as the lease's session lives: giving up would leave a live lease
   * that blocks the new owner until this process dies.
   */
  private async release(range: number, stopTimeoutMs?: number): Promise<void> {
    const slot = this.slots[range]!;
    if (slot.state !== 'owned' || !slot.lease) return;
    slot.state = 'releasing';
    const lease = slot.lease;
    try {
      const offset = await this.opts.worker.stop(range, stopTimeoutMs);
      let committed = offset === null;
      for (let delay = 100; this.leases.isCurrent(lease) && slot.lease === lease; delay = Math.min(delay * 2, 2_000)) {
        try {
          if (!committed) {
            const res = await this.offsets.commit(lease, offset!);
            if (res === 'committed') this.emit('committed', { range, offset });
            committed = true;
          }
          await this.leases.release(lease);
          this.log.info({ range, heldMs: Date.now() - slot.acquiredAt }, 'range released');
          this.emit('released', { range });
          break;
        } catch (err) {
          this.log.warn({ err, range }, 'release not complete yet; retrying while our session lives');
          await sleep(delay);
        }
      }
    } catch (err) {
      this.log.warn({ err, range }, 'stopping the range failed; releasing the lease anyway');
      await this.leases.release(lease).catch(() => undefined);
    } finally {
      if (slot.lease === lease && slot.state === 'releasing') {
        slot.state = 'idle';
        slot.lease = null;
      }
      this.reconcile();
    }
  }

  /** The lease is gone without a handoff: drop uncommitted work (model/: `expire`). */
  private drop(range: number, why: string): void {
    const slot = this.slots[range]!;
    if (slot.state === 'idle') return;
    const had = slot.state === 'owned' || slot.state === 'releasing';
    slot.abort?.abort();
    if (slot.lease) slot.lease.released = true;
    slot.lease = null;
    slot.state = 'idle';
    // Also when acquiring: the worker may be half started.
    this.opts.worker.lost(range);
    if (had) {
      this.log.warn({ range, why }, 'range lost');
      this.emit('lost', { range, why });
    }
    // Still ours by the assignment (e.g. a lease deleted from outside): try again.
    setTimeout(() => this.reconcile(), 100).unref();
  }

  /** Periodic commit of every owned range (and the final one on close). */
  async commitAll(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      for (let r = 0; r < this.slots.length; r++) {
        const slot = this.slots[r]!;
        if (slot.state !== 'owned' || !slot.lease) continue;
        const offset = this.opts.worker.committable(r);
        if (offset === null) continue;
        const lease = slot.lease;
        try {
          const res = await this.offsets.commit(lease, offset);
          if (res === 'committed') this.emit('committed', { range: r, offset });
          else if (res === 'fenced' && slot.state === 'owned' && slot.lease === lease) this.drop(r, 'commit fenced');
        } catch (err) {
          this.emit('commit-failed', { range: r, err });
          this.log.warn({ err, range: r }, 'commit failed; will retry');
        }
      }
    } finally {
      this.committing = false;
    }
  }

  /**
   * Stops following the assignment and releases every range (stop, commit,
   * delete lease). Used at the end of a drain. Idempotent.
   */
  async close(stopTimeoutMs?: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.opts.zk.off('state', this.onSession);
    for (const slot of this.slots) slot.abort?.abort();
    await Promise.all(this.slots.map((s, r) => (s.state === 'owned' ? this.release(r, stopTimeoutMs) : Promise.resolve())));
    // Wait for releases already under way.
    while (this.slots.some((s) => s.state === 'releasing' || s.state === 'acquiring')) await sleep(20);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
