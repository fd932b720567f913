import type { Logger } from 'pino';
import { CoalescingRunner, type Membership, type Unhealthy } from '../coordinator/index.js';
import type { Clock } from './clock.js';
import type { SourceHealth } from './range-source.js';
import type { StallDetector, StallVerdict } from './stall-detector.js';

export interface HealthReporterOptions {
  detector: StallDetector;
  membership: Pick<Membership, 'setUnhealthy'>;
  kafka: () => SourceHealth;
  /** Whether a write to ZooKeeper can land now (connected, within the session). */
  zkUsable: () => boolean;
  /** Asks the handler's target whether it is there (a sidecar's port); called each tick while its calls are refused. */
  probeHandler?: () => Promise<boolean>;
  /** Marked unhealthy (`reason`) or healthy again (null), once ZooKeeper has it. */
  onChange?: (now: Unhealthy | null, before: Unhealthy | null) => void;
  clock: Clock;
  /** Sampling interval. */
  everyMs?: number;
  logger: Logger;
}

/**
 * Samples the StallDetector and keeps the member node's `unhealthy` field in
 * step with it: the leader then moves this poller's ranges to healthy
 * pollers, and back once it can work again. Only written while ZooKeeper is
 * usable (a poller cut off from ZooKeeper loses its ranges with its session
 * anyway); one write at a time, the newest verdict wins.
 */
export class HealthReporter {
  private readonly startedAt: number;
  /** What ZooKeeper holds (as far as we know). */
  private published: Unhealthy | null = null;
  private wanted: Unhealthy | null = null;
  private readonly writer: CoalescingRunner;
  private stopTimer: (() => void) | null = null;
  private probing = false;

  constructor(private readonly opts: HealthReporterOptions) {
    this.startedAt = opts.clock.now();
    this.writer = new CoalescingRunner(() => this.write());
  }

  start(): void {
    // Often: a stall is found at most this long after it passes its limit, and a tick only reads state.
    this.stopTimer ??= this.opts.clock.every(this.opts.everyMs ?? 100, () => this.tick());
  }

  stop(): void {
    this.stopTimer?.();
    this.stopTimer = null;
  }

  /** The stall in force as ZooKeeper has it, for status and /healthz. */
  current(): Unhealthy | null {
    return this.published;
  }

  tick(): void {
    const verdict = this.opts.detector.verdict(this.opts.kafka(), this.startedAt);
    // Probing while calls are refused gives evidence at a steady pace, whatever
    // the handler's backoff, and after the ranges (and their calls) are gone.
    if (this.opts.detector.handlerRefusing()) void this.probe();
    const next = verdict ? toUnhealthy(verdict) : null;
    // A stall that goes on keeps its first `since`; only a change of kind is news.
    if (!sameKind(next, this.wanted)) this.wanted = next;
    if (!sameKind(this.wanted, this.published) && this.opts.zkUsable()) void this.writer.request();
  }

  private async probe(): Promise<void> {
    const probe = this.opts.probeHandler;
    if (!probe || this.probing) return;
    this.probing = true;
    try {
      if (await probe()) this.opts.detector.handlerAnswered();
      else this.opts.detector.handlerRefused(new Error('probe refused'));
    } catch {
      // A probe that throws says nothing either way.
    } finally {
      this.probing = false;
    }
  }

  private async write(): Promise<void> {
    const target = this.wanted;
    if (sameKind(target, this.published)) return;
    try {
      await this.opts.membership.setUnhealthy(target);
    } catch (err) {
      // Still wanted: the next tick with ZooKeeper usable writes it again.
      this.opts.logger.warn({ err }, 'cannot record our health in ZooKeeper yet');
      return;
    }
    const before = this.published;
    this.published = target;
    if (target) this.opts.logger.warn({ reason: target.reason, since: target.since, detail: target.detail }, 'cannot work: giving our ranges to healthy pollers');
    else this.opts.logger.info({ was: before?.reason }, 'can work again: taking ranges');
    this.opts.onChange?.(target, before);
  }
}

function toUnhealthy(v: StallVerdict): Unhealthy {
  return { reason: v.reason, since: new Date(v.since).toISOString(), detail: v.detail };
}

function sameKind(a: Unhealthy | null, b: Unhealthy | null): boolean {
  return (a?.reason ?? null) === (b?.reason ?? null);
}
