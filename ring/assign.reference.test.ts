// assign() against a plain transcription of its contract (docs/design.md
// "Assignment"): the trie in step 3 and the packed sort in step 2 must pick
// exactly what a scan over every member, with the score spelled out here,
// would pick. The score is written out rather than imported, so a change of
// score (or a placement that is not the argmax of this one) fails here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { fmix32, murmur3 } from './murmur3.js';
import { quotas } from './quotas.js';
import type { Member, Owners } from './types.js';

/** score(m, r) = (murmur3(id, 0x5bd1e995 + r mod 2) ^ fmix32((r + 1) * 0x9e3779b1)) >>> 0, in 32-bit arithmetic. */
function referenceScore(id: string, range: number): number {
  const memberKey = murmur3(id, (0x5bd1e995 + (range % 2)) | 0);
  const rangeKey = fmix32(Math.imul(range + 1, 0x9e3779b1));
  return (memberKey ^ rangeKey) >>> 0;
}

/** The contract, step by step, with a scan over every member for every range. */
function referenceAssign(ranges: number, members: readonly Member[], previous?: readonly (string | null)[]): Owners {
  const sorted = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const quota = quotas(ranges, sorted, previous);
  const owners: Owners = new Array<string | null>(ranges).fill(null);
  const held = new Map(sorted.map((m) => [m.id, 0]));
  for (const m of sorted) {
    const mine = (previous ?? []).flatMap((o, r) => (o === m.id ? [r] : []));
    // Highest score first; equal scores keep the lower range.
    mine.sort((a, b) => referenceScore(m.id, b) - referenceScore(m.id, a) || a - b);
    for (const r of mine.slice(0, quota.get(m.id))) owners[r] = m.id;
    held.set(m.id, Math.min(mine.length, quota.get(m.id)!));
  }
  for (let r = 0; r < ranges && sorted.length > 0; r++) {
    if (owners[r] !== null) continue;
    let best: string | null = null;
    let bestScore = -1;
    for (const m of sorted) {
      if (held.get(m.id)! >= quota.get(m.id)!) continue;
      const s = referenceScore(m.id, r);
      if (s > bestScore) {
        bestScore = s;
        best = m.id;
      }
    }
    owners[r] = best;
    held.set(best!, held.get(best!)! + 1);
  }
  return owners;
}

function expectSame(actual: Owners, expected: Owners): void {
  expect(actual.length).toBe(expected.length);
  const at = actual.findIndex((o, i) => o !== expected[i]);
  expect(at, `range ${at}: ${String(actual[at])}, the contract says ${String(expected[at])}`).toBe(-1);
}

// Two pairs of ids whose class-0 keys collide (murmur3 with seed 0x5bd1e995),
// so equal scores between members really happen on even ranges.
const COLLIDING = ['m145770', 'm173236', 'm145236', 'm173770'];

const id = fc.oneof(fc.string({ minLength: 1, maxLength: 4 }), fc.constantFrom(...COLLIDING));
const members = fc.uniqueArray(fc.record({ id, weight: fc.integer({ min: 1, max: 5 }) }), {
  minLength: 1,
  maxLength: 30,
  selector: (m) => m.id,
});
const owner = fc.oneof(fc.constant(null), fc.constant('gone'), fc.nat());

describe('assign() is its contract: quotas, keep the highest-scoring, then the argmax of the score', () => {
  it('the colliding ids really collide in class 0', () => {
    expect(murmur3(COLLIDING[0]!, 0x5bd1e995)).toBe(murmur3(COLLIDING[1]!, 0x5bd1e995));
    expect(murmur3(COLLIDING[2]!, 0x5bd1e995)).toBe(murmur3(COLLIDING[3]!, 0x5bd1e995));
  });

  it('equals the member-by-member scan on random inputs, with and without previous', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        members,
        fc.option(fc.array(owner, { minLength: 1, maxLength: 40 }), { nil: undefined }),
        (r, ms, pattern) => {
          const previous = pattern && Array.from({ length: r }, (_, i) => {
            const p = pattern[(i * 13) % pattern.length]!;
            return typeof p === 'number' ? ms[p % ms.length]!.id : p;
          });
          expectSame(assign({ ranges: r, members: ms, previous }), referenceAssign(r, ms, previous));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('equals the scan at R = 65,536, from scratch and after members leave and join', () => {
    const R = 65_536;
    const ms: Member[] = Array.from({ length: 48 }, (_, i) => ({ id: `poller-${i}`, weight: 1 + (i % 3) }));
    const first = assign({ ranges: R, members: ms });
    expectSame(first, referenceAssign(R, ms));
    const changed = [...ms.filter((_, i) => i % 5 !== 0), { id: 'm145770', weight: 2 }, { id: 'm173236', weight: 1 }];
    expectSame(assign({ ranges: R, members: changed, previous: first }), referenceAssign(R, changed, first));
  });

  it('pins exact outputs (they change only with the score or the contract)', () => {
    const abc = ['a', 'b', 'c'].map((x) => ({ id: x, weight: 1 }));
    const before = assign({ ranges: 16, members: abc });
    expect(before.join('')).toBe('bcbcaababbaaaccc');
    // d joins: it takes floor(16/4) = 4 ranges, each from a member over its new quota.
    expect(assign({ ranges: 16, members: [...abc, { id: 'd', weight: 1 }], previous: before }).join('')).toBe(
      'bcdcaababbddacdc',
    );
  });

  it('equal member keys tie, and the tie goes to the smaller id whatever the order given', () => {
    const pair = (ids: string[]): Owners => assign({ ranges: 8, members: ids.map((x) => ({ id: x, weight: 1 })) });
    // Range 0 is class 0, where both keys are equal and both are under quota.
    expect(pair(['m173236', 'm145770'])[0]).toBe('m145770');
    expect(pair(['m145770', 'm173236'])).toEqual(pair(['m173236', 'm145770']));
  });
});
