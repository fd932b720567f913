import type { Logger } from 'pino';
import { backoffDelay, type BackoffOptions } from '../coordinator/index.js';
import { DeadLetterNow, HandlerUnavailable, type Handler, type RingMessage } from './message.js';
import { plainMessage } from './fetched-message.js';
import type { WorkGeneration } from './work-generation.js';

export interface RangePipelineEvents {
  handled?(msg: RingMessage): void;
  retried?(msg: RingMessage, err: Error): void;
  deadLettered?(msg: RingMessage, err: Error): void;
  /** The handler's target was not there (HandlerUnavailable); the message waits and tries again. */
  unavailable?(msg: RingMessage, err: Error): void;
}

/** Resolves once the dead-letter write is durable; a rejection is retried with backoff, forever. */
export type DeadLetterWrite = (msg: RingMessage, error: Error, attempts: number) => Promise<void>;

export interface HandlerAttemptsOptions {
  handler: Handler;
  /** Handler attempts before a message is dead-lettered. */
  maxAttempts: number;
  backoff: BackoffOptions;
  deadLetter: DeadLetterWrite;
  random: () => number;
  events: RangePipelineEvents;
  log: Logger;
  generation: WorkGeneration;
  /** Asked before every retry; false parks the retry until `resumeRetries()`. */
  admitRetry: () => boolean;
  /** The message is finished: handled, or its dead letter is durable. */
  onDone: (seq: number, msg: RingMessage) => void;
}

/**
 * Runs one message through the handler until it is finished: a handler
 * failure is retried with backoff up to `maxAttempts`, then (or at once on
 * `DeadLetterNow`) the message is written to the dead-letter topic, that
 * write retried until it is durable. `HandlerUnavailable` (what the handler
 * forwards to is not there) is retried with its own growing backoff without
 * using up attempts. Results of an older generation are ignored.
 */
export class HandlerAttempts {
  /** Consecutive HandlerUnavailable failures, for their backoff. */
  private unavailableStreak = 0;
  private retriesAwaitingGate: (() => void)[] = [];

  constructor(private readonly opts: HandlerAttemptsOptions) {}

  /** The message's first attempt. */
  start(seq: number, msg: RingMessage): void {
    msg.attempt = 1;
    this.invoke(this.opts.generation.id, seq, msg);
  }

  /** Runs the retries parked while the gate was closed. */
  resumeRetries(): void {
    const retries = this.retriesAwaitingGate;
    this.retriesAwaitingGate = [];
    for (const retry of retries) retry();
  }

  /** Forgets the parked retries (their generation is over). */
  dropRetries(): void {
    this.retriesAwaitingGate = [];
  }

  private invoke(gen: number, seq: number, msg: RingMessage): void {
    let p: Promise<void> | void;
    try {
      p = this.opts.handler(msg);
    } catch (err) {
      p = Promise.reject(err);
    }
    // A handler that returns nothing (a plain function, or the counting
    // default) has finished: acknowledge now, without a promise and a
    // microtask per message — this is most of the poller's overhead when
    // handling is cheap.
    if (p === undefined || p === null || typeof (p as { then?: unknown }).then !== 'function') {
      this.handled(seq, msg);
      return;
    }
    (p as Promise<void>).then(
      () => {
        if (this.opts.generation.isCurrent(gen)) this.handled(seq, msg);
      },
      (err: unknown) => {
        if (this.opts.generation.isCurrent(gen)) this.onHandlerError(gen, seq, msg, toError(err));
      },
    );
  }

  private handled(seq: number, msg: RingMessage): void {
    this.opts.events.handled?.(msg);
    this.opts.onDone(seq, msg);
  }

  private onHandlerError(gen: number, seq: number, msg: RingMessage, err: Error): void {
    const { backoff, random, log } = this.opts;
    if (err instanceof HandlerUnavailable) {
      // Not this message's fault: back off (growing up to maxMs) and try again, same attempt.
      this.opts.events.unavailable?.(msg, err);
      this.unavailableStreak++;
      const delay = backoffDelay(this.unavailableStreak, backoff, random);
      if (this.unavailableStreak === 1 || this.unavailableStreak % 20 === 0) {
        log.warn({ offset: msg.offset, streak: this.unavailableStreak, err }, 'handler unavailable; retrying without using up attempts');
      }
      this.opts.generation.wait(delay).then(() => this.retry(gen, seq, plainMessage(msg, msg.attempt - 1)));
      return;
    }
    this.unavailableStreak = 0;
    if (err instanceof DeadLetterNow || msg.attempt >= this.opts.maxAttempts) {
      this.writeDeadLetter(gen, seq, msg, err, 1);
      return;
    }
    this.opts.events.retried?.(msg, err);
    const delay = backoffDelay(msg.attempt, backoff, random);
    log.debug({ offset: msg.offset, attempt: msg.attempt, delayMs: Math.round(delay), err }, 'handler failed; will retry');
    this.opts.generation.wait(delay).then(() => this.retry(gen, seq, msg));
  }

  private retry(gen: number, seq: number, msg: RingMessage): void {
    if (!this.opts.generation.isCurrent(gen)) return;
    if (!this.opts.admitRetry()) {
      this.retriesAwaitingGate.push(() => this.retry(gen, seq, msg));
      return;
    }
    // A fresh object, so a handler that kept the previous one sees stable data.
    this.invoke(gen, seq, plainMessage(msg, msg.attempt + 1));
  }

  private writeDeadLetter(gen: number, seq: number, msg: RingMessage, err: Error, writeAttempt: number): void {
    const { generation, log } = this.opts;
    let p: Promise<void>;
    try {
      p = this.opts.deadLetter(msg, err, msg.attempt);
    } catch (dlqErr) {
      p = Promise.reject(dlqErr);
    }
    p.then(
      () => {
        if (!generation.isCurrent(gen)) return;
        log.warn({ offset: msg.offset, key: msg.key, attempts: msg.attempt, err }, 'message dead-lettered');
        this.opts.events.deadLettered?.(msg, err);
        this.opts.onDone(seq, msg);
      },
      (dlqErr: unknown) => {
        if (!generation.isCurrent(gen)) return;
        // Never ack without a durable dead letter: keep trying (the range
        // commit stays behind this offset meanwhile, which is the point).
        const delay = backoffDelay(writeAttempt, this.opts.backoff, this.opts.random);
        log.error(
          { offset: msg.offset, writeAttempt, delayMs: Math.round(delay), err: toError(dlqErr) },
          'dead-letter write failed; will retry',
        );
        generation.wait(delay).then(() => {
          if (generation.isCurrent(gen)) this.writeDeadLetter(gen, seq, msg, err, writeAttempt + 1);
        });
      },
    );
  }
}

function toError(err: unknown): Error {
  if (err instanceof Error) return err;
  return new Error(typeof err === 'string' ? err : `non-Error thrown: ${String(err)}`);
}
