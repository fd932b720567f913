// One pipeline per owned range: takes the fetched messages of the range in
// offset order, runs the handler on them (same key strictly in order, other
// keys in parallel up to `concurrency`), retries with backoff, hands
// hopeless messages to the dead-letter callback, and tracks the lowest
// unacknowledged offset, which is what the poller commits.
//
// The parts, one file each: KeyOrderQueue (which message may start next, and
// the committable offset), StartGate (fencing gate and in-flight budget),
// HandlerAttempts (retries and dead letters), WorkGeneration (forgetting all
// work at once). This class holds the lifecycle: start, release (drain), abort.
//
// Offsets are plain numbers in here: Kafka offsets stay far below 2^53, and
// push() refuses any that is not a safe integer. RingMessage keeps the string
// that the handler contract promises.
//
// Hot path notes: no timer per message (timers only for retries and the
// release timeout), one promise callback per handler call, an ack is O(1)
// (AckWindow), and with concurrency 1 no per-key bookkeeping at all.

import { pino, type Logger } from 'pino';
import type { BackoffOptions } from '../coordinator/index.js';
import { HandlerAttempts, type DeadLetterWrite, type RangePipelineEvents } from './handler-attempts.js';
import type { InFlightBudget } from './in-flight-budget.js';
import { KeyOrderQueue } from './key-order-queue.js';
import { offsetNumber } from './fetched-message.js';
import type { Handler, RingMessage } from './message.js';
import { StartGate } from './start-gate.js';
import { WorkGeneration } from './work-generation.js';

export type { RangePipelineEvents } from './handler-attempts.js';

export interface RangePipelineOptions {
  range: number;
  topic: string;
  /** Handler calls that may run at once in this range (different keys only). Default 1. */
  concurrency: number;
  /** Handler attempts before a message is dead-lettered. */
  maxAttempts: number;
  backoff: BackoffOptions;
  handler: Handler;
  /** Resolves once the dead-letter write is durable; a rejection is retried with backoff, forever. */
  deadLetter: DeadLetterWrite;
  /** The self-fencing gate, checked before every handler call (first attempt and retries); false parks work until resume(). */
  canStart: () => boolean;
  /** Poller-wide cap on handler calls in flight, shared with the other ranges' pipelines. */
  budget?: InFlightBudget;
  /** Replaces the retry and release timers (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Source of the backoff jitter (tests). */
  random?: () => number;
  logger?: Logger;
  events?: RangePipelineEvents;
}

type State = 'new' | 'running' | 'releasing' | 'closed';

/** A release under way: resolved with the offset to commit. Resolving it again does nothing. */
interface PendingRelease {
  promise: Promise<number>;
  resolve: (offset: number) => void;
}

export class RangePipeline {
  private readonly range: number;
  private readonly concurrency: number;
  private readonly log: Logger;
  private readonly queue: KeyOrderQueue;
  private readonly gate: StartGate;
  private readonly generation: WorkGeneration;
  private readonly attempts: HandlerAttempts;

  private state: State = 'new';
  /** Started and not finished (includes messages backing off or being dead-lettered). */
  private running = 0;
  /** `again`: pump() was called while pumping, so the pump runs once more. */
  private pumping: 'no' | 'yes' | 'again' = 'no';
  private pendingRelease: PendingRelease | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(opts: RangePipelineOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new Error(`concurrency must be an integer >= 1, got ${opts.concurrency}`);
    }
    if (!Number.isInteger(opts.maxAttempts) || opts.maxAttempts < 1) {
      throw new Error(`maxAttempts must be an integer >= 1, got ${opts.maxAttempts}`);
    }
    this.range = opts.range;
    this.concurrency = opts.concurrency;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({
      component: 'range-pipeline',
      range: opts.range,
      topic: opts.topic,
    });
    this.queue = new KeyOrderQueue(opts.concurrency > 1);
    this.gate = new StartGate(opts.canStart, opts.budget ?? null, () => this.pump());
    this.generation = new WorkGeneration(opts.sleep);
    this.attempts = new HandlerAttempts({
      handler: opts.handler,
      maxAttempts: opts.maxAttempts,
      backoff: opts.backoff,
      deadLetter: opts.deadLetter,
      random: opts.random ?? Math.random,
      events: opts.events ?? {},
      log: this.log,
      generation: this.generation,
      admitRetry: () => this.gate.admitRetry(),
      onDone: (seq, msg) => this.finish(seq, msg),
    });
  }

  /** Begin (or begin again) at `fromOffset`, the next offset expected from the source. */
  start(fromOffset: number): void {
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) {
      throw new Error(`start offset must be a safe integer >= 0, got ${fromOffset}`);
    }
    // A release still pending from an earlier run must not hang its caller.
    this.pendingRelease?.resolve(this.queue.committable());
    this.pendingRelease = null;
    this.forgetAllWork(fromOffset);
    this.state = 'running';
  }

  push(messages: readonly RingMessage[]): void {
    if (this.state !== 'running') {
      if (this.state === 'new') throw new Error(`range ${this.range}: push() before start()`);
      if (messages.length > 0) {
        this.log.debug({ count: messages.length, state: this.state }, 'messages dropped: range is being released');
      }
      return;
    }
    for (let i = 0; i < messages.length; i++) {
      const msg = messages[i] as RingMessage;
      const offset = offsetNumber(msg);
      if (!Number.isSafeInteger(offset)) {
        this.log.error({ offset: msg.offset }, 'message with an unusable offset ignored');
        continue;
      }
      this.queue.add(offset, msg);
    }
    this.pump();
  }

  /**
   * A split's order barrier or a resize's hold line: nothing at or past
   * `offset` starts (the messages below it are handled and committed as
   * usual). Of two holds the lower wins.
   */
  holdFrom(offset: number): void {
    this.queue.holdFrom(offset);
  }

  /** Replaces every hold with one from `offset` (Infinity: none) in one step, so nothing starts in between. */
  holdOnlyFrom(offset: number): void {
    this.queue.lift();
    this.queue.holdFrom(offset);
    if (this.state === 'running') this.pump();
  }

  /** Whether the barrier is what keeps the next message waiting. */
  heldBack(): boolean {
    return this.queue.heldBack();
  }

  queued(): number {
    return this.queue.queued();
  }

  inFlight(): number {
    return this.running;
  }

  committable(): number {
    return this.queue.committable();
  }

  /** The start gate may be open again: run the parked retries and start what may start. */
  resume(): void {
    if (this.state !== 'running' && this.state !== 'releasing') return;
    this.attempts.resumeRetries();
    this.pump();
  }

  /**
   * Finishes what was started (and what waits behind a started key below the
   * highest started offset), starts nothing new, and resolves with the
   * offset to commit: once drained, or after `timeoutMs` with the lowest
   * unacknowledged offset.
   */
  release(timeoutMs: number): Promise<number> {
    if (this.pendingRelease) return this.pendingRelease.promise;
    if (this.state !== 'running') return Promise.resolve(this.committable());
    this.state = 'releasing';
    const limitOffset = this.queue.stopAfterHighestStarted();
    this.log.debug({ limitOffset }, 'releasing range');
    let resolve!: (offset: number) => void;
    const promise = new Promise<number>((r) => (resolve = r));
    this.pendingRelease = { promise, resolve };
    this.endReleaseAfter(timeoutMs);
    this.pump();
    this.finishReleaseIfDrained();
    return promise;
  }

  /**
   * A release under way ends after `timeoutMs` at the latest (a stop that
   * reached its deadline), whatever limit it began with; otherwise nothing.
   */
  hurryRelease(timeoutMs: number): void {
    if (this.state === 'releasing') this.endReleaseAfter(timeoutMs);
  }

  private endReleaseAfter(timeoutMs: number): void {
    const gen = this.generation.id;
    this.generation.wait(timeoutMs).then(() => {
      if (!this.generation.isCurrent(gen) || this.state !== 'releasing') return;
      this.log.warn(
        { inFlight: this.running, queued: this.queue.waiting(), timeoutMs },
        'release timed out; committing the lowest unacked offset',
      );
      this.finishRelease();
    });
  }

  /** Drops all work at once (the lease is gone); results still coming are ignored. */
  abort(): void {
    if (this.state === 'new') return;
    this.forgetAllWork(this.queue.committable());
    this.state = 'closed';
    this.pendingRelease?.resolve(this.queue.committable());
    this.notifyIdle();
  }

  /** Resolves once nothing runs and nothing waits to start. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts what may start; re-entrant calls (a handler finishing synchronously) make it run once more. */
  private pump(): void {
    if (this.pumping !== 'no') {
      this.pumping = 'again';
      return;
    }
    try {
      do {
        this.pumping = 'yes';
        this.startWhatMayStart();
      } while (this.pumpRequestedAgain);
    } finally {
      this.pumping = 'no';
    }
    if (this.idleWaiters.length > 0) this.notifyIdle();
  }

  private get pumpRequestedAgain(): boolean {
    return this.pumping === 'again';
  }

  private startWhatMayStart(): void {
    while (this.running < this.concurrency && (this.state === 'running' || this.state === 'releasing')) {
      const seq = this.queue.takeNext(this.gate.admitFirstAttempt);
      if (seq === undefined) return;
      this.running++;
      this.attempts.start(seq, this.queue.item(seq));
    }
  }

  private finish(seq: number, msg: RingMessage): void {
    this.queue.done(seq, msg);
    this.running--;
    this.gate.returnSlot();
    this.pump();
    this.finishReleaseIfDrained();
  }

  private finishReleaseIfDrained(): void {
    if (this.state === 'releasing' && this.running === 0 && this.queue.waiting() === 0) this.finishRelease();
  }

  private finishRelease(): void {
    const offset = this.queue.committable();
    this.forgetAllWork(offset);
    this.state = 'closed';
    this.log.debug({ offset }, 'range released');
    this.pendingRelease?.resolve(offset);
    this.notifyIdle();
  }

  /** Forget all work; callbacks still pending from it will be ignored. */
  private forgetAllWork(offset: number): void {
    this.generation.next();
    this.queue.reset(offset);
    this.running = 0;
    this.gate.returnAllSlots();
    this.attempts.dropRetries();
  }

  private isIdle(): boolean {
    return this.running === 0 && this.queued() === 0;
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
