import { RingError } from './errors.js';
import { canonicalMembers } from './members.js';
import { checkRanges } from './range.js';
import type { Member } from './types.js';

/**
 * Quotas for members already validated and sorted by id, as an array in that
 * order. Largest remainder (Hamilton): everyone gets floor(R * w / W), and the
 * ranges left over go one each to the largest remainders, ties to the
 * smaller id. Each quota is therefore within one range of the exact share.
 */
export function quotasOfSorted(ranges: number, sorted: readonly Member[]): number[] {
  const n = sorted.length;
  if (n === 0) return [];
  let total = 0;
  for (const m of sorted) total += m.weight;
  if (!Number.isFinite(total)) throw new RingError('the sum of member weights is not finite');

  const quota = new Array<number>(n);
  const remainder = new Array<number>(n);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const scaled = ranges * sorted[i]!.weight;
    let q = Math.floor(scaled / total);
    // Remainder as scaled - q*W (exact for integer weights) rather than the
    // fractional part of a rounded quotient; correct q if rounding missed.
    let rem = scaled - q * total;
    if (rem < 0) {
      q -= 1;
      rem += total;
    } else if (rem >= total) {
      q += 1;
      rem -= total;
    }
    quota[i] = q;
    remainder[i] = rem;
    given += q;
  }

  let left = ranges - given;
  if (left > 0) {
    const order = Array.from({ length: n }, (_, i) => i);
    // Stable sort keeps id order among equal remainders.
    order.sort((a, b) => remainder[b]! - remainder[a]!);
    for (let k = 0; left > 0; k = (k + 1) % n, left--) quota[order[k]!]! += 1;
  }
  return quota;
}

/** How many ranges each member should own, by weight (largest remainder). */
export function quotas(ranges: number, members: readonly Member[]): Map<string, number> {
  checkRanges(ranges);
  const sorted = canonicalMembers(members);
  const q = quotasOfSorted(ranges, sorted);
  return new Map(sorted.map((m, i) => [m.id, q[i]!]));
}
