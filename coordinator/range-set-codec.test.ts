import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeRangeSet, encodeRangeSet } from './range-set-codec.js';

const sortedSet = (total: number) => fc.uniqueArray(fc.integer({ min: 0, max: total - 1 }), { maxLength: Math.min(total, 3000) }).map((a) => a.sort((x, y) => x - y));

describe('range set codec', () => {
  it('reads back what it wrote, in the shorter of runs and bitmap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65_536 }).chain((total) => fc.tuple(fc.constant(total), sortedSet(total))), ([total, ranges]) => {
        const text = encodeRangeSet(ranges, total);
        expect(decodeRangeSet(text, total)).toEqual({ ok: true, value: ranges });
        expect(text.length).toBeLessThanOrEqual(4 + 4 * Math.ceil(Math.ceil(total / 8) / 3));
      }),
      { numRuns: 300 },
    );
  });

  it('writes runs for contiguous ranges and a bitmap for scattered ones', () => {
    expect(encodeRangeSet([0, 1, 2, 3, 9, 12, 13], 64)).toBe('0-3,9,12-13');
    expect(encodeRangeSet([], 64)).toBe('');
    const everyOther = Array.from({ length: 32_768 }, (_, i) => 2 * i);
    const text = encodeRangeSet(everyOther, 65_536);
    expect(text.startsWith('b64:')).toBe(true);
    expect(text.length).toBe(4 + 10_924);
  });

  it('reads a bitmap written before the group grew as the same ranges', () => {
    const written = encodeRangeSet([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30], 32);
    expect(written.startsWith('b64:')).toBe(true);
    expect(decodeRangeSet(written, 64)).toEqual({ ok: true, value: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] });
  });

  it('refuses what is not a set of this group', () => {
    expect(decodeRangeSet('3,2', 64).ok).toBe(false);
    expect(decodeRangeSet('1-3,3', 64).ok).toBe(false);
    expect(decodeRangeSet('5-4', 64).ok).toBe(false);
    expect(decodeRangeSet('64', 64).ok).toBe(false);
    expect(decodeRangeSet('01', 64).ok).toBe(false);
    expect(decodeRangeSet(7, 64).ok).toBe(false);
    expect(decodeRangeSet(`b64:${Buffer.alloc(9).toString('base64')}`, 64).ok).toBe(false); // 9 bytes, more than 8
    expect(decodeRangeSet('b64:/w==', 4).ok).toBe(false); // names ranges 4..7 of a 4-range group
    expect(decodeRangeSet('b64:D', 4).ok).toBe(false);
  });
});
