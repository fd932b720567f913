import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../coordinator/retry.js';
import { DEFAULT_BACKOFF } from './retry.js';

describe('DEFAULT_BACKOFF for handler retries', () => {
  it('doubles from 100 ms and caps at 10 s', () => {
    expect([1, 2, 3, 7, 8, 50].map((a) => backoffDelay(a, DEFAULT_BACKOFF, () => 0))).toEqual([
      100, 200, 400, 6400, 10_000, 10_000,
    ]);
  });

  it('shortens a delay by at most a fifth', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999999)).toBeCloseTo(80, 3);
    expect(backoffDelay(50, DEFAULT_BACKOFF, () => 0.5)).toBe(9000);
  });
});
