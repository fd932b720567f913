// One pipeline per owned range: takes the fetched messages of the range in
// offset order, runs the handler on them (same key strictly in order, other
// keys in parallel up to `concurrency`), retries with backoff, hands
// hopeless messages to the dead-letter callback, and tracks the lowest
// unacknowledged offset, which is what the poller commits.
//
// Hot path notes: no timer per message (timers only for retries and the
// release timeout), one promise callback per handler call, an ack is O(1)
// (AckWindow), and with concurrency 1 no per-key bookkeeping at all, since
// one message at a time already keeps every key in order.
//
// Null keys have no ordering promise (DESIGN.md: "spread round-robin"), so
// each null-key message is scheduled independently of every other message.

import { pino, type Logger } from 'pino';
import { AckWindow } from './ack-window.js';
import { DeadLetterNow, HandlerUnavailable, type Handler, type RingMessage } from './message.js';
import { backoffDelay, type BackoffOptions } from './retry.js';
import { SeqQueue } from './seq-queue.js';
import type { InFlightBudget } from './in-flight-budget.js';

export interface RangePipelineEvents {
  handled?(msg: RingMessage, ms: number): void;
  retried?(msg: RingMessage, err: Error): void;
  deadLettered?(msg: RingMessage, err: Error): void;
}

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
  deadLetter: (msg: RingMessage, error: Error, attempts: number) => Promise<void>;
  /** Checked before every handler call (first attempt and retries); false parks work until resume(). */
  canStart: () => boolean;
  /** Time each handler call for `events.handled` (two clock reads per message); otherwise ms is 0. */
  measureHandlerTime?: boolean;
  /** Poller-wide cap on handler calls in flight, shared with the other ranges' pipelines. */
  budget?: InFlightBudget;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  logger?: Logger;
  events?: RangePipelineEvents;
}

type State = 'new' | 'running' | 'releasing' | 'closed';

export class RangePipeline {
  private readonly range: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffOptions;
  private readonly handler: Handler;
  private readonly deadLetterFn: RangePipelineOptions['deadLetter'];
  private readonly canStart: () => boolean;
  private readonly injectedSleep: ((ms: number) => Promise<void>) | undefined;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly events: RangePipelineEvents;

  private state: State = 'new';
  /** Bumped by start/abort/release end: callbacks of an older generation are ignored. */
  private gen = 0;
  private readonly window = new AckWindow<RingMessage>();
  /** Next seq of the window not yet taken by the scheduler. */
  private cursor = 0;
  /** Started and not finished (includes messages backing off or being dead-lettered). */
  private running = 0;
  /** Taken by the scheduler but waiting behind a busy key (in keyLines or ready). */
  private parked = 0;
  /** Keys with a message started; the value holds the seqs waiting behind it. */
  private readonly keyLines = new Map<string, SeqQueue | null>();
  /** Seqs whose key just became free: they go before anything new. */
  private ready = new SeqQueue();
  private maxStartedSeq = -1;
  /** During release: seqs above this are never started. */
  private releaseLimit = Number.POSITIVE_INFINITY;
  private pumping = false;
  private readonly budget: InFlightBudget | null;
  private readonly gate: () => boolean;
  private readonly measure: boolean;
  /** Slots of the budget held by messages started in this generation. */
  private held = 0;
  private readonly wake = () => this.pump();
  /** Consecutive HandlerUnavailable failures, for their backoff. */
  private unavailableStreak = 0;
  private repump = false;
  private parkedRetries: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private releaseResolve: ((offset: number) => void) | null = null;
  private releasePromise: Promise<number> | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(opts: RangePipelineOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new Error(`concurrency must be an integer >= 1, got ${opts.concurrency}`);
    }
    if (!Number.isInteger(opts.maxAttempts) || opts.maxAttempts < 1) {
      throw new Error(`maxAttempts must be an integer >= 1, got ${opts.maxAttempts}`);
    }
    this.range = opts.range;
    this.concurrency = opts.concurrency;
    this.maxAttempts = opts.maxAttempts;
    this.backoff = opts.backoff;
    this.handler = opts.handler;
    this.deadLetterFn = opts.deadLetter;
    this.budget = opts.budget ?? null;
    this.measure = opts.measureHandlerTime === true;
    this.gate = opts.canStart;
    this.canStart = opts.budget
      ? () => {
          if (!opts.canStart()) return false;
          if (opts.budget!.tryTake()) return true;
          opts.budget!.whenFree(this.wake);
          return false;
        }
      : opts.canStart;
    this.injectedSleep = opts.sleep;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? performance.now.bind(performance);
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({
      component: 'range-pipeline',
      range: opts.range,
      topic: opts.topic,
    });
    this.events = opts.events ?? {};
  }

  /** Begin (or begin again) at `fromOffset`, the next offset expected from the source. */
  start(fromOffset: number): void {
    if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) {
      throw new Error(`start offset must be a safe integer >= 0, got ${fromOffset}`);
    }
    // A release still pending from an earlier run must not hang its caller.
    const pendingRelease = this.releaseResolve;
    this.releaseResolve = null;
    pendingRelease?.(this.window.lowWater());
    this.dropEverything(fromOffset);
    this.state = 'running';
    this.releaseLimit = Number.POSITIVE_INFINITY;
    this.releasePromise = null;
    this.releaseResolve = null;
  }

  push(messages: readonly RingMessage[]): void {
    if (this.state !== 'running') {
      if (this.state === 'new') throw new Error(`range ${this.range}: push() before start()`);
      if (messages.length > 0) {
        this.log.debug({ count: messages.length, state: this.state }, 'messages dropped: range is being released');
      }
      return;
    }
    const window = this.window;
    for (let i = 0; i < messages.length; i++) {
      const msg = messages[i] as RingMessage;
      const offset = Number(msg.offset);
      if (!Number.isSafeInteger(offset)) {
        this.log.error({ offset: msg.offset }, 'message with an unusable offset ignored');
        continue;
      }
      // Older than expected: a stale fetch from before a seek; already pushed.
      if (offset < window.expectedOffset()) continue;
      window.push(offset, msg);
    }
    this.pump();
  }

  queued(): number {
    const fresh = this.state === 'running' ? this.window.endSeq() - this.cursor : 0;
    return fresh + this.parked;
  }

  inFlight(): number {
    return this.running;
  }

  committable(): number {
    return this.window.lowWater();
  }

  resume(): void {
    if (this.state !== 'running' && this.state !== 'releasing') return;
    const retries = this.parkedRetries;
    this.parkedRetries = [];
    for (const retry of retries) retry();
    this.pump();
  }

  release(timeoutMs: number): Promise<number> {
    if (this.releasePromise) return this.releasePromise;
    if (this.state !== 'running') return Promise.resolve(this.committable());
    this.state = 'releasing';
    // Everything at or below the highest started seq gets finished, so that
    // the committed offset covers every handled message; nothing above it starts.
    const limit = this.maxStartedSeq;
    this.releaseLimit = limit;
    const keep = (seq: number): boolean => seq <= limit;
    this.parked -= this.ready.retain(keep);
    for (const line of this.keyLines.values()) {
      if (line) this.parked -= line.retain(keep);
    }
    this.log.debug({ limitOffset: limit >= 0 ? this.window.offsetOf(limit) : null }, 'releasing range');
    const gen = this.gen;
    this.releasePromise = new Promise<number>((resolve) => {
      this.releaseResolve = resolve;
    });
    this.wait(timeoutMs).then(() => {
      if (this.gen !== gen || this.state !== 'releasing') return;
      this.log.warn({ inFlight: this.running, queued: this.parked, timeoutMs }, 'release timed out; committing the lowest unacked offset');
      this.finishRelease();
    });
    this.pump();
    this.checkReleaseDone();
    return this.releasePromise;
  }

  abort(): void {
    if (this.state === 'new') return;
    const releasing = this.releaseResolve;
    this.dropEverything(this.window.lowWater());
    this.state = 'closed';
    this.releaseResolve = null;
    releasing?.(this.window.lowWater());
    this.notifyIdle();
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- scheduling -------------------------------------------------------

  private pump(): void {
    if (this.pumping) {
      this.repump = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.repump = false;
        this.pumpOnce();
      } while (this.repump);
    } finally {
      this.pumping = false;
    }
    if (this.idleWaiters.length > 0) this.notifyIdle();
  }

  private pumpOnce(): void {
    const window = this.window;
    while (this.running < this.concurrency && (this.state === 'running' || this.state === 'releasing')) {
      if (this.ready.length > 0) {
        if (!this.canStart()) return;
        const seq = this.ready.shift() as number;
        this.parked--;
        this.launch(seq, window.item(seq));
        continue;
      }
      const seq = this.cursor;
      if (seq >= window.endSeq() || seq > this.releaseLimit) return;
      const msg = window.item(seq);
      if (this.concurrency > 1 && msg.key !== null) {
        const line = this.keyLines.get(msg.key);
        if (line !== undefined) {
          // The key is busy: wait behind it without taking a slot.
          this.cursor++;
          this.parked++;
          if (line === null) {
            const q = new SeqQueue();
            q.push(seq);
            this.keyLines.set(msg.key, q);
          } else {
            line.push(seq);
          }
          continue;
        }
        if (!this.canStart()) return;
        this.keyLines.set(msg.key, null);
      } else if (!this.canStart()) {
        return;
      }
      this.cursor++;
      this.launch(seq, msg);
    }
  }

  private launch(seq: number, msg: RingMessage): void {
    this.running++;
    if (this.budget) this.held++;
    if (seq > this.maxStartedSeq) this.maxStartedSeq = seq;
    msg.attempt = 1;
    this.invoke(this.gen, seq, msg);
  }

  private invoke(gen: number, seq: number, msg: RingMessage): void {
    const t0 = this.measure ? this.now() : 0;
    let p: Promise<void> | void;
    try {
      p = this.handler(msg);
    } catch (err) {
      p = Promise.reject(err);
    }
    // A handler that returns nothing (a plain function, or the counting
    // default) has finished: acknowledge now, without a promise and a
    // microtask per message — this is most of the poller's overhead when
    // handling is cheap.
    if (p === undefined || p === null || typeof (p as { then?: unknown }).then !== 'function') {
      this.events.handled?.(msg, this.measure ? this.now() - t0 : 0);
      this.finish(seq, msg);
      return;
    }
    (p as Promise<void>).then(
      () => {
        if (gen !== this.gen) return;
        this.events.handled?.(msg, this.measure ? this.now() - t0 : 0);
        this.finish(seq, msg);
      },
      (err: unknown) => {
        if (gen !== this.gen) return;
        this.onHandlerError(gen, seq, msg, toError(err));
      },
    );
  }


  private onHandlerError(gen: number, seq: number, msg: RingMessage, err: Error): void {
    if (err instanceof HandlerUnavailable) {
      // Not this message's fault: back off (growing up to maxMs) and try again, same attempt.
      this.unavailableStreak++;
      const delay = backoffDelay(this.unavailableStreak, this.backoff, this.random);
      if (this.unavailableStreak === 1 || this.unavailableStreak % 20 === 0) {
        this.log.warn({ offset: msg.offset, streak: this.unavailableStreak, err }, 'handler unavailable; retrying without using up attempts');
      }
      this.wait(delay).then(() => this.retry(gen, seq, { ...msg, attempt: msg.attempt - 1 }));
      return;
    }
    this.unavailableStreak = 0;
    if (err instanceof DeadLetterNow || msg.attempt >= this.maxAttempts) {
      this.writeDeadLetter(gen, seq, msg, err, 1);
      return;
    }
    this.events.retried?.(msg, err);
    const delay = backoffDelay(msg.attempt, this.backoff, this.random);
    this.log.debug({ offset: msg.offset, attempt: msg.attempt, delayMs: Math.round(delay), err }, 'handler failed; will retry');
    this.wait(delay).then(() => this.retry(gen, seq, msg));
  }

  private retry(gen: number, seq: number, msg: RingMessage): void {
    if (gen !== this.gen) return;
    // The message already holds its budget slot: only the ownership gate applies.
    if (!this.gate()) {
      this.parkedRetries.push(() => this.retry(gen, seq, msg));
      return;
    }
    // A fresh object, so a handler that kept the previous one sees stable data.
    this.invoke(gen, seq, { ...msg, attempt: msg.attempt + 1 });
  }

  private writeDeadLetter(gen: number, seq: number, msg: RingMessage, err: Error, writeAttempt: number): void {
    let p: Promise<void>;
    try {
      p = this.deadLetterFn(msg, err, msg.attempt);
    } catch (dlqErr) {
      p = Promise.reject(dlqErr);
    }
    p.then(
      () => {
        if (gen !== this.gen) return;
        this.log.warn({ offset: msg.offset, key: msg.key, attempts: msg.attempt, err }, 'message dead-lettered');
        this.events.deadLettered?.(msg, err);
        this.finish(seq, msg);
      },
      (dlqErr: unknown) => {
        if (gen !== this.gen) return;
        // Never ack without a durable dead letter: keep trying (the range
        // commit stays behind this offset meanwhile, which is the point).
        const delay = backoffDelay(writeAttempt, this.backoff, this.random);
        this.log.error(
          { offset: msg.offset, writeAttempt, delayMs: Math.round(delay), err: toError(dlqErr) },
          'dead-letter write failed; will retry',
        );
        this.wait(delay).then(() => {
          if (gen === this.gen) this.writeDeadLetter(gen, seq, msg, err, writeAttempt + 1);
        });
      },
    );
  }

  private finish(seq: number, msg: RingMessage): void {
    this.window.ack(seq);
    this.running--;
    if (this.budget && this.held > 0) {
      this.held--;
      this.budget.give();
    }
    if (this.concurrency > 1 && msg.key !== null) {
      const line = this.keyLines.get(msg.key);
      const next = line ? line.shift() : undefined;
      if (next === undefined) {
        this.keyLines.delete(msg.key);
      } else {
        // Keep the key reserved: its next message goes first, still in order.
        this.ready.push(next);
      }
    }
    this.pump();
    if (this.state === 'releasing') this.checkReleaseDone();
  }

  // ---- lifecycle helpers -----------------------------------------------

  private checkReleaseDone(): void {
    if (this.state === 'releasing' && this.running === 0 && this.parked === 0) this.finishRelease();
  }

  private finishRelease(): void {
    const offset = this.window.lowWater();
    const resolve = this.releaseResolve;
    this.dropEverything(offset);
    this.state = 'closed';
    this.releaseResolve = null;
    this.log.debug({ offset }, 'range released');
    resolve?.(offset);
    this.notifyIdle();
  }

  /** Forget all work; callbacks still pending from it will be ignored. */
  private dropEverything(offset: number): void {
    this.gen++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.window.reset(offset);
    this.cursor = 0;
    this.running = 0;
    if (this.budget && this.held > 0) this.budget.give(this.held);
    this.held = 0;
    this.parked = 0;
    this.keyLines.clear();
    this.ready = new SeqQueue();
    this.maxStartedSeq = -1;
    this.parkedRetries = [];
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

  /** Injected sleep when given (tests); otherwise a timer we can cancel on abort/release. */
  private wait(ms: number): Promise<void> {
    if (this.injectedSleep) return this.injectedSleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}

function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : `non-Error thrown: ${String(err)}`);
}
