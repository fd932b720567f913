import { RingError } from './errors.js';
import { murmur3 } from './murmur3.js';

const TWO_POW_32 = 0x1_0000_0000;

/**
 * Largest number of ranges a group may have (2^20). `hash * R` must stay
 * below 2^53 for `floor(hash * R / 2^32)` to be exact in a double; with
 * hash < 2^32 and R <= 2^20 it stays below 2^52. It is also far above any
 * sensible Kafka partition count.
 */
export const MAX_RANGES = 0x10_0000;

/** Throws a RingError unless `ranges` is an integer in 1..MAX_RANGES. */
export function checkRanges(ranges: number, what = 'ranges'): void {
  if (!Number.isInteger(ranges) || ranges < 1 || ranges > MAX_RANGES) {
    throw new RingError(
      `${what} must be an integer from 1 to ${MAX_RANGES}, got ${String(ranges)}`,
    );
  }
}

/** The range an unsigned 32-bit hash falls in: floor(hash * R / 2^32). */
export function rangeOfHash(hash: number, ranges: number): number {
  // One combined comparison keeps the check cheap on the per-message path.
  if (!(ranges >= 1 && ranges <= MAX_RANGES && (ranges | 0) === ranges)) checkRanges(ranges);
  if (!(hash >= 0 && hash < TWO_POW_32 && Math.floor(hash) === hash)) {
    throw new RingError(`hash must be an unsigned 32-bit integer, got ${String(hash)}`);
  }
  // Division by a power of two is exact, so floor() sees the true quotient.
  return Math.floor((hash * ranges) / TWO_POW_32);
}

/** The range of a message key: rangeOfHash(murmur3(key), R). */
export function rangeOf(key: string | Uint8Array, ranges: number): number {
  if (!(ranges >= 1 && ranges <= MAX_RANGES && (ranges | 0) === ranges)) checkRanges(ranges);
  return Math.floor((murmur3(key) * ranges) / TWO_POW_32);
}

/**
 * The hashes range `range` covers: [start, end), with
 * start = ceil(range * 2^32 / R). The quotient is never within 2^-22 of an
 * integer unless it is one (it is a multiple of 1/R >= 2^-20 and below 2^32),
 * so rounding of the double division cannot push ceil() to the wrong side.
 */
export function rangeBounds(range: number, ranges: number): { start: number; end: number } {
  checkRanges(ranges);
  if (!Number.isInteger(range) || range < 0 || range >= ranges) {
    throw new RingError(`range must be an integer from 0 to ${ranges - 1}, got ${String(range)}`);
  }
  return {
    start: Math.ceil((range * TWO_POW_32) / ranges),
    end: Math.ceil(((range + 1) * TWO_POW_32) / ranges),
  };
}
