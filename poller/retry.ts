// Backoff for handler retries and dead-letter write retries.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0..1: the share of the delay that is randomised away. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2 };

/**
 * Delay before the retry that follows failed attempt `attempt` (1-based):
 * `initialMs * multiplier^(attempt-1)`, capped at `maxMs`, then reduced by up
 * to `jitter` of itself so that many pollers retrying the same sidecar do not
 * hammer it in lockstep. Always within [base * (1 - jitter), base] and never
 * above maxMs, whatever the inputs (bad inputs are clamped, not trusted).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const maxMs = Math.max(0, finiteOr(opts.maxMs, 0));
  const initialMs = Math.min(maxMs, Math.max(0, finiteOr(opts.initialMs, 0)));
  const multiplier = Math.max(1, finiteOr(opts.multiplier, 1));
  const jitter = clamp01(finiteOr(opts.jitter, 0));
  const exponent = Math.max(0, Math.floor(finiteOr(attempt, 1)) - 1);
  // multiplier ** exponent may be Infinity for huge attempts; min() caps it,
  // but 0 * Infinity is NaN, hence the special case.
  const base = initialMs === 0 ? 0 : Math.min(maxMs, initialMs * multiplier ** exponent);
  const r = clamp01(finiteOr(random(), 0));
  return base * (1 - jitter * r);
}

export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function finiteOr(x: number, fallback: number): number {
  return Number.isFinite(x) ? x : fallback;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
