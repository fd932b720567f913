import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingError } from './errors.js';
import { murmur3 } from './murmur3.js';
import { MAX_RANGES, rangeBounds, rangeOf, rangeOfHash } from './range.js';

const TWO_POW_32 = 2 ** 32;
const rangeCount = fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 1, max: MAX_RANGES }));
const hash = fc.integer({ min: 0, max: 0xffffffff });

describe('rangeOfHash / rangeBounds', () => {
  it('maps the ends of the hash space to the first and last range', () => {
    for (const r of [1, 2, 7, 64, 1000, MAX_RANGES]) {
      expect(rangeOfHash(0, r)).toBe(0);
      expect(rangeOfHash(0xffffffff, r)).toBe(r - 1);
    }
    expect(rangeOfHash(0x80000000, 2)).toBe(1);
    expect(rangeOfHash(0x7fffffff, 2)).toBe(0);
  });

  it('agrees with exact integer arithmetic floor(hash * R / 2^32)', () => {
    fc.assert(
      fc.property(hash, rangeCount, (h, r) => {
        expect(rangeOfHash(h, r)).toBe(Number((BigInt(h) * BigInt(r)) >> 32n));
      }),
      { numRuns: 1000 },
    );
  });

  it('bounds are ceil(i * 2^32 / R), exactly, and every hash in them maps back to i', () => {
    fc.assert(
      fc.property(rangeCount, fc.double({ min: 0, max: 1, noNaN: true }), (r, at) => {
        const i = Math.min(r - 1, Math.floor(at * r));
        const { start, end } = rangeBounds(i, r);
        const exact = (n: number): number => Number((BigInt(n) * 2n ** 32n + BigInt(r) - 1n) / BigInt(r));
        expect(start).toBe(exact(i));
        expect(end).toBe(exact(i + 1));
        expect(rangeOfHash(start, r)).toBe(i);
        expect(rangeOfHash(end - 1, r)).toBe(i);
        if (start > 0) expect(rangeOfHash(start - 1, r)).toBe(i - 1);
        if (end < TWO_POW_32) expect(rangeOfHash(end, r)).toBe(i + 1);
      }),
      { numRuns: 1000 },
    );
  });

  it('ranges tile the hash space contiguously, with sizes differing by at most one', () => {
    for (const r of [1, 3, 7, 64, 1000, 4096]) {
      let next = 0;
      let min = Infinity;
      let max = 0;
      for (let i = 0; i < r; i++) {
        const { start, end } = rangeBounds(i, r);
        expect(start).toBe(next);
        min = Math.min(min, end - start);
        max = Math.max(max, end - start);
        next = end;
      }
      expect(next).toBe(TWO_POW_32);
      expect(max - min).toBeLessThanOrEqual(1);
    }
  });

  it('splitting R -> 2R keeps every key inside a sub-range of its old range', () => {
    fc.assert(
      fc.property(hash, fc.integer({ min: 1, max: MAX_RANGES / 2 }), (h, r) => {
        const split = rangeOfHash(h, 2 * r);
        expect(Math.floor(split / 2)).toBe(rangeOfHash(h, r));
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects ranges outside 1..MAX_RANGES and hashes outside 0..2^32-1', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, MAX_RANGES + 1]) {
      expect(() => rangeOfHash(0, bad)).toThrow(RingError);
      expect(() => rangeOf('k', bad)).toThrow(/ranges must be an integer from 1 to 1048576/);
      expect(() => rangeBounds(0, bad)).toThrow(RingError);
    }
    for (const bad of [-1, 2 ** 32, 0.5, NaN]) expect(() => rangeOfHash(bad, 8)).toThrow(/unsigned 32-bit/);
    expect(() => rangeBounds(8, 8)).toThrow(/range must be an integer from 0 to 7/);
    expect(() => rangeBounds(-1, 8)).toThrow(RingError);
  });
});

describe('rangeOf', () => {
  it('is rangeOfHash of the key hash, for strings and bytes alike', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), rangeCount, (key, r) => {
        const expected = rangeOfHash(murmur3(key), r);
        expect(rangeOf(key, r)).toBe(expected);
        expect(rangeOf(Buffer.from(key), r)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('spreads keys evenly over ranges', () => {
    const r = 16;
    const counts = new Array<number>(r).fill(0);
    const n = 64_000;
    for (let i = 0; i < n; i++) counts[rangeOf(`order-${i}`, r)]! += 1;
    // Binomial sd ~ 61 per range here; 5 sd is far outside chance.
    for (const c of counts) expect(Math.abs(c - n / r)).toBeLessThan(5 * Math.sqrt((n / r) * (1 - 1 / r)));
  });
});
