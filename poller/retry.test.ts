import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './retry.js';

describe('backoffDelay', () => {
  it('grows exponentially and caps at maxMs without jitter', () => {
    const opts = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, opts, () => 0.7))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('removes at most `jitter` of the delay', () => {
    const opts = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 };
    expect(backoffDelay(1, opts, () => 0)).toBe(100);
    expect(backoffDelay(1, opts, () => 0.999999)).toBeCloseTo(50, 3);
  });

  it('stays within [base*(1-jitter), min(base, maxMs)] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.record({
          initialMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
          maxMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
          multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (attempt, opts, r) => {
          const d = backoffDelay(attempt, opts, () => r);
          const growth = opts.multiplier ** Math.max(0, attempt - 1);
          const base = Math.min(opts.maxMs, opts.initialMs === 0 ? 0 : opts.initialMs * growth);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(opts.maxMs);
          expect(d).toBeLessThanOrEqual(base + 1e-9);
          expect(d).toBeGreaterThanOrEqual(base * (1 - opts.jitter) - 1e-9);
        },
      ),
    );
  });

  it('clamps nonsense options instead of returning NaN', () => {
    const d = backoffDelay(Number.NaN, { initialMs: Number.NaN, maxMs: 500, multiplier: -3, jitter: 7 }, () => 2);
    expect(d).toBe(0);
    expect(backoffDelay(3, { initialMs: 10, maxMs: Number.POSITIVE_INFINITY, multiplier: 3, jitter: 0 })).toBe(0);
  });
});
