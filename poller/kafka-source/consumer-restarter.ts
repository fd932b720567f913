import type { Logger } from 'pino';
import { backoffDelay, retry, RetryAbortedError, sleep as abortableSleep, type BackoffOptions } from '../../coordinator/index.js';

/**
 * The first restart comes this long after the crash; each failed restart
 * doubles the wait, up to maxMs, until one joins the group.
 */
const RESTART_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

/** A restart that got as far as run() but whose group join crashed again. */
class CrashedAgain extends Error {
  constructor(readonly crash: Error) {
    super(crash.message);
    this.name = 'CrashedAgain';
  }
}

export interface ConsumerRestarterOptions {
  /** Connect and run the consumer again; resolves once kafkajs joined its group or crashed trying. */
  restart: () => Promise<void>;
  log: Logger;
  /** A restart failed to connect or run (not a crash: those are reported where they are heard). */
  onFailure?: (err: unknown) => void;
  backoff?: BackoffOptions;
  /** Injected wait, for tests with a fake clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * kafkajs gives up on errors it deems non-retriable (its CRASH event says
 * `restart: false`); the poller must keep consuming once Kafka is back, so
 * the source restarts the consumer itself, with backoff, until a restart
 * joins the group or the source closes.
 */
export class ConsumerRestarter {
  private readonly stop = new AbortController();
  private readonly backoff: BackoffOptions;
  private readonly wait: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * 'waiting': a restart is due, a crash changes nothing; 'attempting': a
   * crash now is the attempt failing.
   */
  private phase: 'idle' | 'waiting' | 'attempting' = 'idle';
  /** A crash kafkajs gave up on, heard during the current restart attempt. */
  private crashDuringAttempt: Error | null = null;

  constructor(private readonly opts: ConsumerRestarterOptions) {
    this.backoff = opts.backoff ?? RESTART_BACKOFF;
    this.wait = opts.sleep ?? abortableSleep;
  }

  /** kafkajs crashed and will not restart by itself. */
  crashed(error: Error): void {
    if (this.stop.signal.aborted || this.phase === 'waiting') return;
    if (this.phase === 'attempting') {
      // kafkajs reports a failed join inside run() as a crash and run() then
      // resolves: the attempt must count it as failed.
      this.crashDuringAttempt ??= error;
      return;
    }
    this.phase = 'waiting';
    void this.restartWithBackoff();
  }

  /** No restart after this; a wait under way ends at once. */
  close(): void {
    this.stop.abort();
  }

  private async restartWithBackoff(): Promise<void> {
    const { signal } = this.stop;
    // The crash counts as the first failed attempt: it is followed by the same wait.
    const firstDelayMs = backoffDelay(1, this.backoff);
    this.announce(firstDelayMs);
    await this.wait(firstDelayMs, signal);
    try {
      await retry(() => this.attempt(), {
        // The crash was failure 1, so restart n is failure n + 1 and waits as
        // backoffDelay(n + 1) would: the same curve, one step on.
        ...this.backoff,
        initialMs: this.backoff.initialMs * (this.backoff.multiplier ?? 2),
        signal,
        retriable: () => true,
        sleep: this.wait,
        onRetry: (err, _attempt, delayMs) => {
          if (!(err instanceof CrashedAgain)) {
            this.opts.onFailure?.(err);
            this.opts.log.error({ err }, 'kafka consumer restart failed');
          }
          if (!signal.aborted) this.announce(delayMs);
        },
      });
    } catch (err) {
      if (!(err instanceof RetryAbortedError)) throw err;
    }
  }

  private async attempt(): Promise<void> {
    this.phase = 'attempting';
    this.crashDuringAttempt = null;
    try {
      await this.opts.restart();
    } catch (err) {
      this.phase = 'waiting';
      throw err;
    }
    const crash = this.crashDuringAttempt;
    this.crashDuringAttempt = null;
    if (crash) {
      this.phase = 'waiting';
      throw new CrashedAgain(crash);
    }
    // Set before the promise settles, so a crash from here on starts a new restart.
    this.phase = 'idle';
  }

  private announce(delayMs: number): void {
    this.opts.log.warn({ delayMs }, 'restarting kafka consumer');
  }
}
