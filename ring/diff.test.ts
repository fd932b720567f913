import { describe, expect, it } from 'vitest';
import { diff } from './diff.js';
import { RingError } from './errors.js';

describe('diff()', () => {
  it('lists the ranges whose owner changed, in range order, with nulls as unowned', () => {
    expect(diff(['a', 'b', null, 'c'], ['a', 'c', 'd', null])).toEqual([
      { range: 1, from: 'b', to: 'c' },
      { range: 2, from: null, to: 'd' },
      { range: 3, from: 'c', to: null },
    ]);
    expect(diff(['a', null], ['a', null])).toEqual([]);
  });

  it('refuses assignments of different lengths', () => {
    expect(() => diff(['a'], ['a', 'b'])).toThrow(RingError);
    expect(() => diff(['a'], ['a', 'b'])).toThrow(/1 and 2 ranges/);
  });
});
