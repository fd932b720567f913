import { ZkError } from './zk-errors.js';

/**
 * Backoff and retry for every loop of the process that tries an operation
 * again: ZooKeeper reads and writes, lease handoffs, Kafka restarts, handler
 * retries and dead-letter writes. One place decides how long to wait.
 */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Growth per failed attempt (default 2). */
  multiplier?: number;
  /** 0..1: the share of the delay that is randomised away (default 0). */
  jitter?: number;
}

/**
 * Re-creating one of our ephemeral nodes (a leader candidate, a member node)
 * after a new session: soon, since the group waits for it, but without
 * hammering a server that refuses.
 */
export const RECREATE_EPHEMERAL_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 2_000 };

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based):
 * `initialMs * multiplier^(attempt-1)`, capped at `maxMs`, then reduced by up
 * to `jitter` of itself so that many processes retrying the same server do
 * not hammer it in lockstep. Always within [base * (1 - jitter), base] and
 * never above maxMs, whatever the inputs (bad inputs are clamped, not trusted).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const maxMs = Math.max(0, finiteOr(opts.maxMs, 0));
  const initialMs = Math.min(maxMs, Math.max(0, finiteOr(opts.initialMs, 0)));
  const multiplier = Math.max(1, finiteOr(opts.multiplier ?? 2, 1));
  const jitter = clamp01(finiteOr(opts.jitter ?? 0, 0));
  const exponent = Math.max(0, Math.floor(finiteOr(attempt, 1)) - 1);
  // multiplier ** exponent may be Infinity for huge attempts; min() caps it,
  // but 0 * Infinity is NaN, hence the special case.
  const base = initialMs === 0 ? 0 : Math.min(maxMs, initialMs * multiplier ** exponent);
  const r = clamp01(finiteOr(random(), 0));
  return base * (1 - jitter * r);
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (never rejects). The
 * timer does not hold the process open unless `holdProcess` is set: for a
 * wait that is the only thing left to do (reopening an expired session).
 */
export function sleep(ms: number, signal?: AbortSignal, opts: { holdProcess?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (!opts.holdProcess) timer.unref?.();
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions extends BackoffOptions {
  /** Stops retrying: the last error is thrown (or `AbortError` if none yet). */
  signal?: AbortSignal;
  /** At most this many attempts (default: unlimited). */
  attempts?: number;
  /**
   * Whether an error is worth another attempt. Default: a `ZkError` only if
   * it is `retriable` (connection trouble), any other error yes.
   */
  retriable?: (err: unknown) => boolean;
  /** Called before each wait, with the failed attempt's number (1-based) and the delay. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** Keep trying only while this holds (checked before every attempt). */
  while?: () => boolean;
  /** Injected wait, for tests with a fake clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class RetryAbortedError extends Error {
  constructor(readonly lastError: unknown) {
    super('retry stopped before an attempt succeeded');
    this.name = 'RetryAbortedError';
  }
}

/** The default `retriable`: ZooKeeper errors say so themselves; everything else may pass. */
function isRetriable(err: unknown): boolean {
  return err instanceof ZkError ? err.retriable : true;
}

/**
 * Calls `fn` until it resolves, waiting `backoffDelay` between attempts.
 * Throws the error at once when it is not retriable, after the last of
 * `attempts`, and `RetryAbortedError` when `signal` aborts or `while` stops
 * holding between attempts.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const wait = opts.sleep ?? sleep;
  const retriable = opts.retriable ?? isRetriable;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted || (opts.while && !opts.while())) throw new RetryAbortedError(lastError);
    try {
      return await fn(attempt);
    } catch (err) {
      lastError = err;
      if (!retriable(err) || (opts.attempts !== undefined && attempt >= opts.attempts)) throw err;
      const delay = backoffDelay(attempt, opts);
      opts.onRetry?.(err, attempt, delay);
      await wait(delay, opts.signal);
    }
  }
}

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
