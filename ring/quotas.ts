import { RingError } from './errors.js';
import { canonicalMembers } from './members.js';
import { checkRanges } from './range.js';
import type { Member } from './types.js';

/**
 * Quotas for members already validated and sorted by id, as an array in that
 * order. Largest remainder (Hamilton): everyone gets floor(R * w / W), and the
 * ranges left over go one each to the largest remainders. Equal remainders
 * (the rule with equal weights) go first to members that already hold more
 * than their floor, then to the smaller id: an incumbent keeps its extra range rather
 * than a newcomer taking it, so a join moves floor(R/n) ranges, not ceil.
 * Each quota is within one range of the exact share either way.
 */
export function quotasOfSorted(
  ranges: number,
  sorted: readonly Member[],
  heldBefore?: ArrayLike<number>,
): number[] {
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
    // Whether a member already holds more than its floor: a yes/no, not the
    // count, so a heavier member does not win ties just for holding more.
    const holdsExtra = (i: number): number => ((heldBefore?.[i] ?? 0) > quota[i]! ? 1 : 0);
    // Stable sort keeps id order among members equal on both keys.
    order.sort((a, b) => remainder[b]! - remainder[a]! || holdsExtra(b) - holdsExtra(a));
    for (let k = 0; left > 0; k = (k + 1) % n, left--) quota[order[k]!]! += 1;
  }
  return quota;
}

/**
 * How many ranges each member should own, by weight (largest remainder).
 * Pass the current owners as `previous` to get the quotas assign() uses when
 * rebalancing (equal remainders favour members already holding more).
 */
export function quotas(
  ranges: number,
  members: readonly Member[],
  previous?: readonly (string | null)[],
): Map<string, number> {
  checkRanges(ranges);
  const sorted = canonicalMembers(members);
  let held: number[] | undefined;
  if (previous) {
    const index = new Map(sorted.map((m, i) => [m.id, i]));
    held = new Array<number>(sorted.length).fill(0);
    for (const owner of previous) {
      const i = owner === null ? undefined : index.get(owner);
      if (i !== undefined) held[i]! += 1;
    }
  }
  const q = quotasOfSorted(ranges, sorted, held);
  return new Map(sorted.map((m, i) => [m.id, q[i]!]));
}
