import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { offsetFromString, offsetToString } from './offsets.js';

describe('offsets at the edges', () => {
  it('round-trip every safe non-negative integer', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => offsetFromString(offsetToString(n)) === n));
  });

  it('refuse what is not a decimal offset, and offsets past 2^53 - 1', () => {
    for (const bad of ['', '-1', '01', '1.5', '1e3', ' 1', 'x', '9007199254740992']) {
      expect(() => offsetFromString(bad), bad).toThrow(RangeError);
    }
    expect(offsetFromString('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => offsetToString(-1)).toThrow(RangeError);
    expect(() => offsetToString(1.5)).toThrow(RangeError);
  });
});
