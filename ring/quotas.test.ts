import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RingError } from './errors.js';
import { quotas } from './quotas.js';

describe('quotas()', () => {
  it('sums to R and keeps every member within one range of R*w/W, whatever the member order', () => {
    const members = fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 4 }), weight: fc.integer({ min: 1, max: 10 }) }), {
      minLength: 1,
      maxLength: 200,
      selector: (m) => m.id,
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4096 }), members, (r, ms) => {
        const q = quotas(r, ms);
        const total = ms.reduce((s, m) => s + m.weight, 0);
        expect([...q.values()].reduce((a, b) => a + b, 0)).toBe(r);
        expect(ms.filter((m) => Math.abs(q.get(m.id)! * total - r * m.weight) >= total)).toEqual([]);
        expect([...quotas(r, [...ms].reverse()).entries()].sort()).toEqual([...q.entries()].sort());
      }),
      { numRuns: 1000 },
    );
  });

  it('gives leftover ranges to the largest remainders, ties to the smaller id', () => {
    // 10 over weights 1,1,1: exact 3.33 each, one leftover goes to "a".
    expect(quotas(10, [{ id: 'c', weight: 1 }, { id: 'a', weight: 1 }, { id: 'b', weight: 1 }])).toEqual(
      new Map([['a', 4], ['b', 3], ['c', 3]]),
    );
    // 10 over 1,2: exact 3.33 and 6.67: the larger remainder (b) wins.
    expect(quotas(10, [{ id: 'a', weight: 1 }, { id: 'b', weight: 2 }])).toEqual(new Map([['a', 3], ['b', 7]]));
  });

  it('with previous owners, equal remainders go first to members holding more than their floor', () => {
    const ms = ['a', 'b', 'c'].map((id) => ({ id, weight: 1 }));
    // "c" holds 4 (> floor 3), so it keeps the leftover over "a".
    expect(quotas(10, ms, ['c', 'c', 'c', 'c', 'b', null, 'a', 'a', 'a', 'b'])).toEqual(new Map([['a', 3], ['b', 3], ['c', 4]]));
    // 6 over weights 1,2,1: exact 1.5, 3, 1.5; "c" holds 2 > floor 1, so it keeps the leftover.
    expect(quotas(6, [{ id: 'a', weight: 1 }, { id: 'b', weight: 2 }, { id: 'c', weight: 1 }], ['b', 'b', 'b', 'c', 'c', 'a'])).toEqual(
      new Map([['a', 1], ['b', 3], ['c', 2]]),
    );
    // Holdings never beat a larger remainder.
    expect(quotas(10, [{ id: 'a', weight: 1 }, { id: 'b', weight: 2 }], ['a', 'a', 'a', 'a'])).toEqual(
      new Map([['a', 3], ['b', 7]]),
    );
  });

  it('is empty with no members and validates like assign()', () => {
    expect(quotas(8, []).size).toBe(0);
    expect(() => quotas(0, [])).toThrow(RingError);
    expect(() => quotas(8, [{ id: 'a', weight: 1 }, { id: 'a', weight: 1 }])).toThrow(/duplicate/);
  });
});
