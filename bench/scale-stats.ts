/** Small statistics for bench/scale.ts: percentiles of a handful of timings. */

export interface Spread {
  p50: number;
  p99: number;
  /** How many samples the percentiles are over. */
  n: number;
}

/**
 * The q-quantile (0..1) by linear interpolation between closest ranks
 * (numpy's default), so five samples give a p99 just below their maximum.
 */
export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within 0..1, got ${q}`);
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 0.5);
}

/** p50 and p99, rounded to whole units; null when there is no sample. */
export function spread(xs: readonly number[]): Spread | null {
  if (xs.length === 0) return null;
  return { p50: Math.round(percentile(xs, 0.5)), p99: Math.round(percentile(xs, 0.99)), n: xs.length };
}
