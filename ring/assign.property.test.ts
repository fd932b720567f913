import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { diff } from './diff.js';
import { quotas } from './quotas.js';
import type { Member, Owners } from './types.js';

// docs/design.md "Assignment": properties over random inputs: members 1..200,
// R 1..4096, weights 1..10, and random join / leave / weight sequences; then
// a few runs at R = 65,536 with 1,000..10,000 members.

const RUNS = { numRuns: 1000 };
const weight = fc.integer({ min: 1, max: 10 });
const ranges = fc.integer({ min: 1, max: 4096 });
// Short random ids exercise the id ordering (tie-breaks); uniqueness by id.
const members = (max = 200): fc.Arbitrary<Member[]> =>
  fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 6 }), weight }), {
    minLength: 1,
    maxLength: max,
    selector: (m) => m.id,
  });

type Step = { kind: 'join'; weight: number } | { kind: 'leave'; pick: number } | { kind: 'weight'; pick: number; weight: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('join' as const), weight }),
  fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('weight' as const), pick: fc.nat(), weight }),
);
const steps = fc.array(step, { minLength: 1, maxLength: 6 });

function applyStep(current: Member[], s: Step, fresh: () => string): Member[] {
  if (s.kind === 'join') return current.length >= 200 ? current : [...current, { id: fresh(), weight: s.weight }];
  if (current.length === 0) return current;
  const target = current[s.pick % current.length]!;
  if (s.kind === 'leave') return current.length === 1 ? current : current.filter((m) => m !== target);
  return current.map((m) => (m === target ? { id: m.id, weight: s.weight } : m));
}

function freshIds(): () => string {
  let n = 0;
  return () => `joiner-${n++}`;
}

function countBy(owners: Readonly<Owners>): Map<string, number> {
  const held = new Map<string, number>();
  for (const o of owners) if (o !== null) held.set(o, (held.get(o) ?? 0) + 1);
  return held;
}

/** Every range has exactly one owner, and owners are members. */
function expectOwnedByMembers(owners: Owners, r: number, ms: readonly Member[]): void {
  expect(owners).toHaveLength(r);
  const ids = new Set(ms.map((m) => m.id));
  // One expect per assignment, not per range: expect() dominates run time.
  const bad = owners.findIndex((o) => o === null || !ids.has(o));
  expect(bad, `range ${bad} owned by ${String(owners[bad])}`).toBe(-1);
}

/** Each member holds its quota, and quota is within one range of R*w/W (exact integer check). */
function expectWithinOneOfShare(owners: Owners, r: number, ms: readonly Member[], previous?: Owners): void {
  const held = countBy(owners);
  const q = quotas(r, ms, previous);
  const total = ms.reduce((s, m) => s + m.weight, 0);
  const bad = ms.find((m) => {
    const h = held.get(m.id) ?? 0;
    return h !== q.get(m.id) || Math.abs(h * total - r * m.weight) >= total;
  });
  expect(bad && { ...bad, held: held.get(bad.id) ?? 0, quota: q.get(bad.id), share: (r * bad.weight) / total }).toBe(undefined);
}

/** moved = ranges of non-members (leavers) + sum max(0, held before - new quota); never more. */
function expectMinimalMovement(before: Owners, after: Owners, ms: readonly Member[]): void {
  const r = before.length;
  const ids = new Set(ms.map((m) => m.id));
  const q = quotas(r, ms, before);
  const heldBefore = countBy(before);
  let expected = before.filter((o) => o === null || !ids.has(o)).length;
  for (const m of ms) expected += Math.max(0, (heldBefore.get(m.id) ?? 0) - q.get(m.id)!);
  expect(diff(before, after).length).toBe(expected);
}

/** Same owners, compared by a plain loop (toEqual on 4096 entries is slow) naming the first difference. */
function expectSame(a: Owners, b: Owners): void {
  expect(a.length).toBe(b.length);
  const at = a.findIndex((o, i) => o !== b[i]);
  expect(at, `range ${at}: ${String(a[at])} vs ${String(b[at])}`).toBe(-1);
}

function shuffled<T>(xs: readonly T[], keys: readonly number[]): T[] {
  return xs
    .map((x, i) => ({ x, k: keys[i % Math.max(1, keys.length)]! * 7919 + i }))
    .sort((a, b) => a.k - b.k)
    .map((e) => e.x);
}

describe('assign() properties: ownership, quotas and minimal movement', () => {
  it('from scratch: every range has exactly one owner, a member, holding exactly its quota', () => {
    fc.assert(
      fc.property(ranges, members(), (r, ms) => {
        const owners = assign({ ranges: r, members: ms });
        expectOwnedByMembers(owners, r, ms);
        expectWithinOneOfShare(owners, r, ms);
      }),
      RUNS,
    );
  });

  it('over join / leave / weight sequences: ownership, quotas and minimal movement hold at every step', () => {
    fc.assert(
      fc.property(ranges, members(), steps, (r, start, seq) => {
        const fresh = freshIds();
        let ms = start;
        let owners = assign({ ranges: r, members: ms });
        for (const s of seq) {
          ms = applyStep(ms, s, fresh);
          const next = assign({ ranges: r, members: ms, previous: owners });
          expectOwnedByMembers(next, r, ms);
          expectWithinOneOfShare(next, r, ms, owners);
          expectMinimalMovement(owners, next, ms);
          owners = next;
        }
      }),
      RUNS,
    );
  });

  it('minimal movement from any previous, including nulls and owners that are not members', () => {
    const owner = fc.oneof(fc.constant(null), fc.constantFrom('gone-a', 'gone-b'), fc.nat());
    fc.assert(
      fc.property(ranges, members(), fc.array(owner, { minLength: 1, maxLength: 64 }), (r, ms, pattern) => {
        const previous = Array.from({ length: r }, (_, i) => {
          const p = pattern[(i * 31) % pattern.length]!;
          return typeof p === 'number' ? ms[p % ms.length]!.id : p;
        });
        const owners = assign({ ranges: r, members: ms, previous });
        expectOwnedByMembers(owners, r, ms);
        expectWithinOneOfShare(owners, r, ms, previous);
        expectMinimalMovement(previous, owners, ms);
      }),
      RUNS,
    );
  });
});

describe('assign() properties: order, stability and exact movement', () => {
  it('does not depend on member order, with or without previous', () => {
    fc.assert(
      fc.property(ranges, members(), fc.array(fc.nat(), { minLength: 1, maxLength: 200 }), step, (r, ms, keys, s) => {
        const reordered = shuffled(ms, keys);
        const first = assign({ ranges: r, members: ms });
        expectSame(assign({ ranges: r, members: reordered }), first);
        const changed = applyStep(ms, s, freshIds());
        expectSame(
          assign({ ranges: r, members: shuffled(changed, keys), previous: first }),
          assign({ ranges: r, members: [...changed].reverse(), previous: first }),
        );
      }),
      RUNS,
    );
  });

  it('is stable: re-assigning with its own result as previous changes nothing', () => {
    fc.assert(
      fc.property(ranges, members(), (r, ms) => {
        const owners = assign({ ranges: r, members: ms });
        expectSame(assign({ ranges: r, members: ms, previous: owners }), owners);
      }),
      RUNS,
    );
  });

  it('equal weights, R >= members: a join moves exactly the newcomer quota, all to the newcomer; a leave moves exactly the leaver ranges', () => {
    const equal = fc
      .tuple(fc.integer({ min: 1, max: 199 }), weight, fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }))
      .chain(([n, w, ops]) =>
        fc.tuple(fc.integer({ min: n + 1, max: 4096 }), fc.constant(n), fc.constant(w), fc.constant(ops), fc.nat()),
      );
    fc.assert(
      fc.property(equal, ([r, n, w, ops, pick]) => {
        let ms: Member[] = Array.from({ length: n }, (_, i) => ({ id: `p${(i * 7919) % 10007}`, weight: w }));
        let owners = assign({ ranges: r, members: ms });
        let joined = 0;
        for (const join of ops) {
          if (join && ms.length < r && ms.length < 200) {
            const newcomer = { id: `new-${joined++}`, weight: w };
            ms = [...ms, newcomer];
            const next = assign({ ranges: r, members: ms, previous: owners });
            const moves = diff(owners, next);
            expect(moves.length).toBe(quotas(r, ms, owners).get(newcomer.id));
            // Equal remainders favour incumbents, so the newcomer gets the floor share.
            expect(moves.length).toBe(Math.floor(r / ms.length));
            expect(moves.filter((m) => m.to !== newcomer.id)).toEqual([]);
            owners = next;
          } else if (ms.length > 1) {
            const leaver = ms[(pick + ms.length) % ms.length]!;
            ms = ms.filter((m) => m !== leaver);
            const next = assign({ ranges: r, members: ms, previous: owners });
            const theirs = owners.flatMap((o, i) => (o === leaver.id ? [i] : []));
            expect(diff(owners, next).map((m) => m.range)).toEqual(theirs);
            owners = next;
          }
        }
      }),
      RUNS,
    );
  });
});

describe('assign() properties at scale: R = 65,536 with thousands of members', () => {
  // Few runs: each assign() here is tens of milliseconds and each check walks all 65,536 ranges.
  const R = 65_536;
  const scale = fc.record({
    n: fc.integer({ min: 1000, max: 10_000 }),
    weights: fc.array(weight, { minLength: 1, maxLength: 64 }),
    seq: fc.array(step, { minLength: 1, maxLength: 3 }),
  });

  it('ownership, quotas, minimal movement and order independence hold over join / leave / weight steps', () => {
    fc.assert(
      fc.property(scale, ({ n, weights, seq }) => {
        let ms: Member[] = Array.from({ length: n }, (_, i) => ({ id: `poller-${i}`, weight: weights[i % weights.length]! }));
        let owners = assign({ ranges: R, members: ms });
        expectOwnedByMembers(owners, R, ms);
        expectWithinOneOfShare(owners, R, ms);
        const fresh = freshIds();
        for (const s of seq) {
          ms = applyStep(ms, s, fresh);
          const next = assign({ ranges: R, members: ms, previous: owners });
          expectOwnedByMembers(next, R, ms);
          expectWithinOneOfShare(next, R, ms, owners);
          expectMinimalMovement(owners, next, ms);
          expectSame(assign({ ranges: R, members: [...ms].reverse(), previous: owners }), next);
          owners = next;
        }
      }),
      { numRuns: 4 },
    );
  });

  it('equal weights: a join of the 10,001st moves exactly its quota, all to it; a leave moves exactly the leaver ranges', () => {
    const ms: Member[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `poller-${i}`, weight: 1 }));
    const owners = assign({ ranges: R, members: ms });
    const newcomer = { id: 'poller-new', weight: 1 };
    const joined = assign({ ranges: R, members: [...ms, newcomer], previous: owners });
    const moves = diff(owners, joined);
    expect(moves.length).toBe(Math.floor(R / 10_001));
    expect(moves.filter((m) => m.to !== newcomer.id)).toEqual([]);

    const leaver = 'poller-4321';
    const left = assign({ ranges: R, members: ms.filter((m) => m.id !== leaver), previous: owners });
    expect(diff(owners, left).map((m) => m.range)).toEqual(owners.flatMap((o, r) => (o === leaver ? [r] : [])));
  });
});
