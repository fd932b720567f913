import type { UnhealthyReason } from '../coordinator/index.js';
import type { SourceHealth } from './range-source.js';

/** How long each kind of stall may last before the poller gives its ranges away; 0 turns it off. */
export interface StallLimits {
  fetchStallMs: number;
  handlerStallMs: number;
}


export interface StallVerdict {
  reason: UnhealthyReason;
  /** When the stall began (ms since the epoch). */
  since: number;
  detail: string;
}

/**
 * Decides whether this poller can work. Fetch stall: no Kafka broker has
 * answered for `fetchStallMs`. Handler stall: every handler call for
 * `handlerStallMs` was refused (HandlerUnavailable: nothing listening),
 * and refusals are still coming — once the ranges have moved away no calls
 * are made, so a stall without a fresh refusal (or a successful probe) for
 * `handlerStallMs` ends, and the poller takes ranges again to find out.
 *
 * Kept apart from ZooKeeper and timers so the rules are unit-tested alone;
 * the caller samples it (HealthReporter).
 */
export class StallDetector {
  private refusingSince: number | null = null;
  private lastRefusalAt = 0;
  private lastRefusal = '';
  /** When the source first said disconnected, for a source without lastReplyAt. */
  private disconnectedSince: number | null = null;

  constructor(
    private readonly limits: StallLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** A handler call was refused (its target is not there). */
  handlerRefused(err: Error): void {
    const t = this.now();
    if (this.refusingSince === null) this.refusingSince = t;
    this.lastRefusalAt = t;
    this.lastRefusal = err.message;
  }

  /** A handler call got an answer (success, failure or dead letter): the target is there. Hot path: one store. */
  handlerAnswered(): void {
    this.refusingSince = null;
  }

  /** Whether handler calls are being refused now (a stall may be building up). */
  handlerRefusing(): boolean {
    return this.refusingSince !== null;
  }

  /**
   * The stall in force now, or null. `startedAt` bounds how far back a
   * silence can reach (a source that has not heard anything yet since start).
   */
  verdict(kafka: SourceHealth, startedAt: number): StallVerdict | null {
    const t = this.now();
    return this.fetchStall(kafka, startedAt, t) ?? this.handlerStall(t);
  }

  private fetchStall(kafka: SourceHealth, startedAt: number, t: number): StallVerdict | null {
    if (this.limits.fetchStallMs <= 0) return null;
    let silentSince: number | null;
    if (kafka.lastReplyAt !== undefined) {
      silentSince = Math.max(kafka.lastReplyAt, startedAt);
    } else {
      if (kafka.connected) this.disconnectedSince = null;
      else this.disconnectedSince ??= t;
      silentSince = this.disconnectedSince;
    }
    if (silentSince === null || t - silentSince < this.limits.fetchStallMs) return null;
    const error = kafka.lastError ? `; last error: ${kafka.lastError}` : '';
    return { reason: 'fetch-stall', since: silentSince, detail: `no Kafka broker answered for ${seconds(t - silentSince)}${error}` };
  }

  private handlerStall(t: number): StallVerdict | null {
    const since = this.refusingSince;
    if (this.limits.handlerStallMs <= 0 || since === null) return null;
    if (t - since < this.limits.handlerStallMs) return null;
    if (t - this.lastRefusalAt >= this.limits.handlerStallMs) {
      this.refusingSince = null; // nothing refused lately: try again
      return null;
    }
    return { reason: 'handler-stall', since, detail: `handler refused every call for ${seconds(t - since)}: ${this.lastRefusal}` };
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
