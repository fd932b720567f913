import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { retry, RetryAbortedError, type MemberAssignment, type Lease, type Offset } from '../coordinator/index.js';
import { systemClock, type Clock } from './clock.js';
import { StopBudget } from './stop-budget.js';
import { CommitCadence } from './commit-cadence.js';
import { CommitPass } from './commit-pass.js';
import type { RangeOwnershipOptions } from './range-ports.js';
import { idleSlot, type Attempt, type Slot } from './range-slot.js';

export type { OwnershipState } from './range-slot.js';
export type { RangeConsumer, LeasePort, OffsetPort, RangeOwnershipOptions } from './range-ports.js';

const ACQUIRE_BACKOFF = { initialMs: 100, maxMs: 5_000 };
/** A close without a stop limit gives the consumers what the poller's drain timeout defaults to. */
const UNLIMITED_STOP_MS = 30_000;
const DUPLICATES_POSSIBLE = 'final commit did not land: the next owner may handle again what was handled after the last commit that landed';
const RELEASE_BACKOFF = { initialMs: 100, maxMs: 2_000 };
/** A range still assigned to us after a failed acquisition or a loss is tried again after this long. */
const REACQUIRE_AFTER_MS = { failed: 50, lost: 100 };
/** Default least time between two commit passes (and the sweep's period). */
export const DEFAULT_COMMIT_INTERVAL_MS = 100;

/**
 * The poller's side of the protocol for each range (model/: `acquire`,
 * `commit`, `release`, `expire`): acquires the lease of each range the
 * assignment gives us (waiting for the previous holder to release it), starts
 * the consumer from `offsets/<range>`, commits after handled messages
 * (`progressed()`, paced by CommitCadence; fenced by the lease), and on reassignment stops the consumer, commits and deletes the
 * lease. When the lease is lost (session expired, commit fenced) the range is
 * dropped uncommitted.
 *
 * Events: `acquired` {range, epoch, waitedMs}, `released` {range}, `lost`
 * {range, why}, `committed` {range, offset}, `commit-failed` {range, err}.
 */
export class RangeOwnership extends EventEmitter {
  /** A slot for every range this process was ever given (the others are idle). */
  private readonly slots = new Map<number, Slot>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private assignment: MemberAssignment | null = null;
  /** Ranges a split just made: no lease was ever taken on them, so their first acquisition need not look for a holder. */
  private readonly neverLeased = new Set<number>();
  private stopped = false;
  private stopCommitTimer: (() => void) | null = null;
  private readonly cadence: CommitCadence;
  private readonly commitPass: CommitPass;
  /** Set by close(): retries of final commits give up when it is spent. */
  private budget: StopBudget | null = null;
  /** Aborted when the stop budget is spent (passed to release retries begun before close). */
  private readonly giveUp = new AbortController();

  constructor(private readonly opts: RangeOwnershipOptions) {
    super();
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'range-ownership', poller: opts.pollerId });
    this.commitPass = new CommitPass({
      slots: this.slots,
      consumer: opts.consumer,
      offsets: opts.offsets,
      log: this.log,
      committed: (range, offset) => this.emit('committed', { range, offset }),
      failed: (range, err) => this.emit('commit-failed', { range, err }),
      fenced: (range) => this.drop(range, 'commit fenced'),
    });
    this.cadence = new CommitCadence({ clock: this.clock, gapMs: this.commitIntervalMs, pass: () => this.commitAll() });
  }

  private get commitIntervalMs(): number {
    return this.opts.commitIntervalMs ?? DEFAULT_COMMIT_INTERVAL_MS;
  }

  private slot(range: number): Slot {
    let slot = this.slots.get(range);
    if (!slot) this.slots.set(range, (slot = idleSlot()));
    return slot;
  }

  /**
   * Starts committing: after every `progressed()` call as the cadence allows,
   * and on a sweep every commit interval for consumers that do not call it
   * (a sweep that finds no offset moved writes nothing).
   */
  start(): void {
    this.stopCommitTimer ??= this.clock.every(this.commitIntervalMs, () => this.cadence.request());
  }

  /** Handled messages moved some range's committable offset: commit it soon (coalesced, one pass in flight). */
  progressed(): void {
    if (this.stopCommitTimer) this.cadence.request();
  }

  /** Something others wait for was reached (a split point): commit without waiting out the gap. */
  commitNow(): void {
    if (this.stopCommitTimer) this.cadence.requestNow();
  }

  /** Commit passes so far that sent a write. */
  get commitPasses(): number {
    return this.cadence.writingPasses;
  }

  /** Follows a (newer) assignment, or re-checks the current one: acquires what it gives us, releases what it took away. */
  follow(assignment: MemberAssignment | null): void {
    if (assignment && assignment.epoch !== this.assignment?.epoch) {
      this.log.info({ epoch: assignment.epoch, mine: assignment.ranges.size }, 'assignment received');
    }
    if (assignment) this.assignment = assignment;
    this.reconcile();
  }

  /**
   * The group grew from `from` to `to` ranges: ranges `from`..`to - 1` were
   * never leased, so the first acquisition of each creates its lease without
   * looking first (LeaseStore.tryAcquire). A hint only: were one leased
   * after all, the create fails and the holder is found as usual.
   */
  rangesAdded(from: number, to: number): void {
    for (let r = from; r < to; r++) this.neverLeased.add(r);
  }

  /** Every lease died with the session: drop every range uncommitted (model/: `expire`). */
  sessionExpired(): void {
    for (const r of this.slots.keys()) this.drop(r, 'session expired');
  }

  stateOf(range: number): Slot['state'] {
    return this.slots.get(range)?.state ?? 'idle';
  }

  /** Ranges whose lease we hold (owned or still releasing). */
  ownedRanges(): number[] {
    const out: number[] = [];
    for (const [r, s] of this.slots) if (s.state === 'owned' || s.state === 'releasing') out.push(r);
    return out.sort((a, b) => a - b);
  }

  /** The leases held right now. */
  heldLeases(): Lease[] {
    return [...this.slots.values()].flatMap((s) => (s.lease ? [s.lease] : []));
  }

  private desired(range: number): boolean {
    return !this.stopped && this.assignment?.ranges.has(range) === true;
  }

  /** Brings every range's state towards what the assignment wants. */
  private reconcile(): void {
    if (!this.stopped) for (const r of this.assignment?.ranges ?? []) this.slot(r);
    for (const [r, slot] of this.slots) {
      const want = this.desired(r);
      if (want && slot.state === 'idle') this.track(slot, this.acquire(r));
      else if (!want && slot.state === 'owned') this.track(slot, this.release(r));
      else if (!want && slot.state === 'acquiring') slot.abort?.abort();
    }
  }

  private track(slot: Slot, task: Promise<void>): void {
    slot.task = task;
    void task.finally(() => {
      if (slot.task === task) slot.task = null;
    });
  }

  private reconcileLater(ms: number): void {
    void this.clock.sleep(ms).then(() => this.reconcile());
  }

  private async acquire(range: number): Promise<void> {
    const slot = this.slot(range);
    const token = ++slot.token;
    const abort = new AbortController();
    Object.assign(slot, { state: 'acquiring', abort, lease: null });
    const began = this.clock.now();
    const ours = () => slot.token === token && slot.state === 'acquiring';
    const attempt = () => this.acquireOnce(range, slot, { token, began, signal: abort.signal });
    try {
      // Each wait for another holder ends in a fresh round of attempts (the backoff starts again).
      while ((await retry(attempt, {
        ...ACQUIRE_BACKOFF,
        signal: abort.signal,
        while: () => ours() && this.desired(range),
        retriable: () => true,
        sleep: this.clock.sleep,
        onRetry: (err) => this.log.warn({ err, range }, 'acquire failed; retrying'),
      })) === 'holder-left');
    } catch (err) {
      if (!(err instanceof RetryAbortedError)) throw err;
    } finally {
      // Still 'acquiring' while an orphan is looked for, so no new acquisition starts meanwhile.
      if (ours() && !slot.lease) await this.opts.leases.dropOrphan(range).catch(() => undefined);
      if (ours()) {
        // Given up (no longer ours by the assignment, or aborted): back to idle.
        slot.state = 'idle';
        slot.abort = null;
        await this.releaseStray(slot, token);
        if (this.desired(range)) this.reconcileLater(REACQUIRE_AFTER_MS.failed);
      } else if (slot.token === token) {
        slot.abort = null;
      }
    }
  }

  /**
   * One attempt: take the lease (or wait for its holder to let go), read the
   * committed offset, start the consumer. Resolves 'done' when the range is
   * owned or has moved on meanwhile; a failed attempt gives its lease back.
   */
  private async acquireOnce(range: number, slot: Slot, attempt: Attempt): Promise<'done' | 'holder-left'> {
    try {
      return await this.tryOwn(range, slot, attempt);
    } catch (err) {
      await this.releaseStray(slot, attempt.token);
      throw err;
    }
  }

  private async tryOwn(range: number, slot: Slot, { token, began, signal }: Attempt): Promise<'done' | 'holder-left'> {
    const ours = () => slot.token === token && slot.state === 'acquiring';
    const epoch = this.assignment?.epoch ?? 0;
    // The offset read goes out right behind the create: ZooKeeper serves it
    // after the create, so it sees every commit the lease's earlier holders
    // made (a resent create sends it again; the last one counts).
    let readBehind = null as Promise<Offset | null> | null;
    const sent = () => {
      readBehind = this.opts.offsets.read(range);
      readBehind.catch(() => undefined);
      this.opts.consumer.prepare?.(range);
    };
    const look = !this.neverLeased.delete(range);
    const res = await this.opts.leases.tryAcquire(range, epoch, { look, sent });
    if (!('lease' in res)) {
      this.log.debug({ range, heldBy: res.heldBy?.poller ?? null }, 'lease held by another poller; waiting for its release');
      await this.opts.leases.waitForRelease(range, this.opts.leaseWaitMs, signal);
      return 'holder-left';
    }
    // The session may have expired while we waited for the reply: the lease died with it.
    if (!ours()) return 'done';
    const lease = res.lease;
    slot.lease = lease;
    const from = await (res.created && readBehind ? readBehind : this.opts.offsets.read(range));
    if (!ours() || !this.opts.leases.isCurrent(lease)) return 'done';
    await this.opts.consumer.start(range, from, token);
    if (!ours() || !this.opts.leases.isCurrent(lease)) {
      // The lease died while the consumer was starting: what we started must
      // not keep consuming (a newer acquisition's consumer is left alone).
      this.opts.consumer.lost(range, token);
      return 'done';
    }
    slot.state = 'owned';
    slot.acquiredAt = this.clock.now();
    const waitedMs = slot.acquiredAt - began;
    this.log.info({ range, epoch, from, waitedMs }, 'range acquired');
    this.emit('acquired', { range, epoch, waitedMs });
    if (!this.desired(range)) this.track(slot, this.release(range));
    return 'done';
  }

  /** A lease taken by a failed or abandoned acquisition is given back. */
  private async releaseStray(slot: Slot, token: number): Promise<void> {
    if (slot.token !== token || !slot.lease) return;
    const lease = slot.lease;
    slot.lease = null;
    await this.opts.leases.release(lease).catch(() => undefined);
  }

  /**
   * Graceful handoff of one range: stop, commit what was acknowledged, delete
   * the lease. A ZooKeeper hiccup in the commit or the delete is retried for
   * as long as the lease's session lives: giving up would leave a live lease
   * that blocks the new owner until this process dies. Once this process is
   * stopping, the retries end with the stop budget (the lease then goes
   * with the session, closed right after).
   */
  private async release(range: number, stopTimeoutMs = this.stopLimit()): Promise<void> {
    const slot = this.slot(range);
    if (slot.state !== 'owned' || !slot.lease) return;
    slot.state = 'releasing';
    const { lease, token } = { lease: slot.lease, token: slot.token };
    try {
      // Once stopped, the consumer starts nothing: all it handled is below `offset`.
      const offset = await this.opts.consumer.stop(range, stopTimeoutMs);
      if (slot.token !== token) return; // given up at the end of the stop budget
      await this.commitAndLetGo(range, slot, lease, offset);
    } catch (err) {
      this.log.warn({ err, range }, 'stopping the range failed; releasing the lease anyway');
      this.opts.consumer.lost(range, token);
      await this.opts.leases.release(lease).catch(() => undefined);
    } finally {
      if (slot.token === token && slot.state === 'releasing') {
        slot.state = 'idle';
        slot.lease = null;
      }
      this.reconcile();
    }
  }

  private async commitAndLetGo(range: number, slot: Slot, lease: Lease, offset: Offset | null): Promise<void> {
    let committed = offset === null;
    try {
      await retry(
        async () => {
          if (!committed) {
            const res = await this.opts.offsets.commit(lease, offset!);
            if (res === 'committed') this.emit('committed', { range, offset });
            committed = true;
          }
          if (slot.lease !== lease) return; // given up at the end of the stop budget
          await this.opts.leases.release(lease);
          this.log.info({ range, heldMs: this.clock.now() - slot.acquiredAt }, 'range released');
          this.emit('released', { range });
        },
        {
          ...RELEASE_BACKOFF,
          signal: this.giveUp.signal,
          while: () => this.opts.leases.isCurrent(lease) && slot.lease === lease,
          retriable: () => true,
          sleep: this.clock.sleep,
          onRetry: (err) =>
            this.log.warn({ err, range, ...(this.budget ? { budgetLeftMs: this.budget.left() } : {}) }, 'release not complete yet; retrying while our session lives'),
        },
      );
    } catch (err) {
      // The lease died meanwhile (session expired, or dropped), or the stop budget is spent.
      if (!(err instanceof RetryAbortedError)) throw err;
      // Dropped (logged as lost) or given up by close (logged there): said already.
      if (slot.lease !== lease) return;
      const why = this.giveUp.signal.aborted ? 'stop budget spent' : 'lease gone with its session';
      if (!committed) this.log.warn({ range, offset, why }, DUPLICATES_POSSIBLE);
      else this.log.warn({ range, why }, 'lease not deleted; it goes with the session');
    }
  }

  /** The consumers' stop limit while closing: what the budget leaves before the final commits' share. */
  private stopLimit(): number | undefined {
    return this.budget ? Math.max(0, this.budget.left() - this.finalCommitMs) : undefined;
  }

  private get finalCommitMs(): number {
    return this.opts.finalCommitMs ?? this.opts.leaseWaitMs;
  }

  /** The stop budget is spent and the range's release or acquisition has not ended: give it up where it stands. */
  private abandon(range: number): void {
    const slot = this.slot(range);
    if (slot.state === 'idle') return;
    const was = slot.state;
    this.forget(range, slot);
    if (was !== 'acquiring') this.log.warn({ range, why: 'stop budget spent' }, DUPLICATES_POSSIBLE);
  }

  /**
   * Back to idle without a handoff: a new token (late replies of what ran are
   * discarded), its waits aborted, and the consumer told the range is lost
   * (also when acquiring: it may be half started).
   */
  private forget(range: number, slot: Slot): void {
    slot.token++;
    slot.abort?.abort();
    slot.abort = null;
    slot.lease = null;
    slot.state = 'idle';
    this.opts.consumer.lost(range);
  }

  /** The lease is gone without a handoff: drop uncommitted work (model/: `expire`). */
  private drop(range: number, why: string): void {
    const slot = this.slot(range);
    if (slot.state === 'idle') return;
    const had = slot.state === 'owned' || slot.state === 'releasing';
    if (slot.lease) slot.lease.released = true;
    this.forget(range, slot);
    if (had) {
      this.log.warn({ range, why }, 'range lost');
      this.emit('lost', { range, why });
    }
    // Still ours by the assignment (e.g. a lease deleted from outside): try again.
    this.reconcileLater(REACQUIRE_AFTER_MS.lost);
  }

  /** One commit pass (commit-pass.ts): every owned range whose offset moved; whether any write was sent. */
  commitAll(): Promise<boolean> {
    return this.commitPass.run();
  }

  /**
   * Stops following the assignment and releases every range (stop, commit,
   * delete lease), each consumer given `stopTimeoutMs` to finish (releases
   * already under way too). The final commits and lease deletes retry for
   * `finalCommitMs` more at most: this resolves once no acquisition or
   * release is under way, or when that budget is spent, giving up (and
   * logging) what is left. Idempotent.
   */
  async close(stopTimeoutMs?: number): Promise<void> {
    const budget = (this.budget ??= this.beginStop(stopTimeoutMs));
    for (;;) {
      const pending = [...this.slots.values()].flatMap((s) => (s.task ? [s.task] : []));
      if (pending.length === 0) return;
      if (!(await budget.settleWithin(Promise.allSettled(pending)))) break;
    }
    for (const r of this.slots.keys()) this.abandon(r);
  }

  private beginStop(stopTimeoutMs: number | undefined): StopBudget {
    this.stopped = true;
    this.stopCommitTimer?.();
    this.cadence.stop();
    const stopMs = stopTimeoutMs ?? UNLIMITED_STOP_MS;
    const budget = new StopBudget(this.clock, stopMs + this.finalCommitMs);
    budget.signal.addEventListener('abort', () => this.giveUp.abort(), { once: true });
    for (const slot of this.slots.values()) slot.abort?.abort();
    const ranges = this.ownedRanges();
    this.log.info({ ranges, stopTimeoutMs: stopMs, finalCommitMs: this.finalCommitMs }, 'final commits');
    for (const [r, s] of this.slots) {
      if (s.state === 'owned') this.track(s, this.release(r, stopMs));
      else if (s.state === 'releasing') this.opts.consumer.hurry?.(r, stopMs);
    }
    return budget;
  }
}
