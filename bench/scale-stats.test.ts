import { describe, expect, it } from 'vitest';
import { median, percentile, spread } from './scale-stats.js';

describe('percentile', () => {
  it('interpolates between closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 0.99)).toBeCloseTo(49.6);
    expect(percentile([10, 20, 30, 40, 50], 0)).toBe(10);
    expect(percentile([10, 20, 30, 40, 50], 1)).toBe(50);
  });

  it('does not depend on the order of the samples, nor change them', () => {
    const xs = [5, 1, 4, 2, 3];
    expect(percentile(xs, 0.5)).toBe(3);
    expect(xs).toEqual([5, 1, 4, 2, 3]);
  });

  it('is NaN without samples and refuses a quantile outside 0..1', () => {
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });

  it('median of one sample is that sample', () => {
    expect(median([7])).toBe(7);
  });
});

describe('spread', () => {
  it('rounds p50 and p99 and counts the samples', () => {
    expect(spread([100.4, 200.6, 300, 400, 1000])).toEqual({ p50: 300, p99: 976, n: 5 });
  });

  it('is null without samples', () => {
    expect(spread([])).toBeNull();
  });
});
