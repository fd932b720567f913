import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { diff } from './diff.js';
import { RingError } from './errors.js';
import { quotas } from './quotas.js';
import type { Member } from './types.js';

const equal = (n: number, weight = 1): Member[] => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, weight }));

describe('assign() edge cases', () => {
  it('with no members every owner is null, and previous owners are dropped', () => {
    expect(assign({ ranges: 3, members: [] })).toEqual([null, null, null]);
    expect(assign({ ranges: 2, members: [], previous: ['a', 'b'] })).toEqual([null, null]);
  });

  it('one member owns every range', () => {
    expect(assign({ ranges: 5, members: [{ id: 'only', weight: 3 }] })).toEqual(Array(5).fill('only'));
  });

  it('more members than ranges: R members own one range each, the rest none', () => {
    const ms = equal(10);
    const owners = assign({ ranges: 4, members: ms });
    expect(new Set(owners).size).toBe(4);
    const q = quotas(4, ms);
    // Equal remainders go to the smallest ids.
    expect([...q.entries()].filter(([, n]) => n === 1).map(([id]) => id)).toEqual(['p0', 'p1', 'p2', 'p3']);
    expect(owners.slice().sort()).toEqual(['p0', 'p1', 'p2', 'p3']);
  });

  it('a member whose quota drops to zero gives up everything', () => {
    const before = assign({ ranges: 2, members: equal(2) });
    const after = assign({ ranges: 2, members: [...equal(2), { id: 'heavy', weight: 100 }], previous: before });
    expect(after).toEqual(['heavy', 'heavy']);
  });

  it('an over-quota member gives up its lowest-scoring ranges, which rendezvous would not give it', () => {
    // From scratch p0 alone would win its best ranges; with a second member it
    // keeps exactly the ranges it would get from scratch when it is first in line.
    const ms = equal(2);
    const alone = assign({ ranges: 64, members: [ms[0]!] });
    const together = assign({ ranges: 64, members: ms, previous: alone });
    expect(diff(alone, together).every((m) => m.from === 'p0' && m.to === 'p1')).toBe(true);
    expect(together.filter((o) => o === 'p1')).toHaveLength(32);
  });

  it('weights scale shares: weight 3 vs 1 over 8 ranges gives 6 and 2', () => {
    const owners = assign({ ranges: 8, members: [{ id: 'big', weight: 3 }, { id: 'small', weight: 1 }] });
    expect(owners.filter((o) => o === 'big')).toHaveLength(6);
    expect(owners.filter((o) => o === 'small')).toHaveLength(2);
  });

  it('spreads a fresh assignment across the ring rather than in blocks', () => {
    const owners = assign({ ranges: 1024, members: equal(4) });
    // Rendezvous placement: consecutive ranges rarely share an owner by more
    // than chance (1/4); a block layout would give ~1.
    let same = 0;
    for (let r = 1; r < owners.length; r++) if (owners[r] === owners[r - 1]) same++;
    expect(same / 1023).toBeLessThan(0.4);
  });

  it('accepts fractional weights', () => {
    const owners = assign({ ranges: 10, members: [{ id: 'a', weight: 0.5 }, { id: 'b', weight: 1.5 }] });
    expect(owners.filter((o) => o === 'a').length).toBeGreaterThanOrEqual(2);
    expect(owners.filter((o) => o === 'a').length).toBeLessThanOrEqual(3);
  });
});

describe('assign() rejects bad input with RingError', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['R = 0', () => assign({ ranges: 0, members: equal(1) }), /ranges must be an integer from 1/],
    ['R not an integer', () => assign({ ranges: 2.5, members: equal(1) }), /got 2.5/],
    ['R too large', () => assign({ ranges: 2 ** 21, members: equal(1) }), /1048576/],
    ['duplicate ids', () => assign({ ranges: 4, members: [...equal(2), { id: 'p1', weight: 2 }] }), /duplicate member id "p1"/],
    ['weight 0', () => assign({ ranges: 4, members: [{ id: 'a', weight: 0 }] }), /member "a" has weight 0/],
    ['negative weight', () => assign({ ranges: 4, members: [{ id: 'a', weight: -1 }] }), /finite number > 0/],
    ['NaN weight', () => assign({ ranges: 4, members: [{ id: 'a', weight: NaN }] }), /weight NaN/],
    ['infinite weight', () => assign({ ranges: 4, members: [{ id: 'a', weight: Infinity }] }), /weight Infinity/],
    ['empty id', () => assign({ ranges: 4, members: [{ id: '', weight: 1 }] }), /non-empty string/],
    ['previous too short', () => assign({ ranges: 4, members: equal(1), previous: ['p0'] }), /previous has 1 owners but there are 4 ranges/],
    ['weights summing to infinity', () => assign({ ranges: 4, members: [{ id: 'a', weight: 1e308 }, { id: 'b', weight: 1e308 }] }), /not finite/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      expect(call).toThrow(RingError);
      expect(call).toThrow(message);
    });
  }
});
