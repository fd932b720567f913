import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { XorTrie } from './xor-trie.js';

/** The answer XorTrie.farthest must give: a scan of every open member. */
function bruteFarthest(keys: Int32Array, open: ReadonlySet<number>, k: number): number {
  let best = -1;
  let bestScore = -1;
  for (let i = 0; i < keys.length; i++) {
    if (!open.has(i)) continue;
    const s = (keys[i]! ^ k) >>> 0;
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}

// Keys from a handful of values force equal keys (ties) and shared prefixes;
// full 32-bit keys give the usual random trie. Both signs of int32 appear.
const key = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 0x7fffffff, -0x80000000, -1, 0x12345678),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }),
);
type Op = { kind: 'query'; k: number } | { kind: 'close'; pick: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('query' as const), k: fc.oneof(key, fc.integer({ min: 0, max: 0xffffffff })) }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }),
);

describe('XorTrie', () => {
  it('answers the brute-force argmax of (key XOR k) over open members, ties to the smaller index, as members close', () => {
    fc.assert(
      fc.property(
        fc.array(key, { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        fc.array(op, { maxLength: 120 }),
        (keyList, openFlags, ops) => {
          const keys = Int32Array.from(keyList);
          const startOpen = keyList.map((_, i) => i).filter((i) => openFlags[i % openFlags.length]);
          const trie = new XorTrie(keys, Int32Array.from(startOpen));
          const open = new Set(startOpen);
          for (const o of ops) {
            if (o.kind === 'query') {
              expect(trie.farthest(o.k)).toBe(bruteFarthest(keys, open, o.k));
            } else {
              const member = o.pick % keys.length;
              trie.close(member);
              open.delete(member);
            }
            expect(trie.size).toBe(open.size);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('with every member closed, or none open, answers -1; closing twice changes nothing', () => {
    const keys = Int32Array.from([5, 5, 9]);
    expect(new XorTrie(keys, new Int32Array(0)).farthest(0)).toBe(-1);
    const trie = new XorTrie(keys, Int32Array.from([0, 1, 2]));
    expect(trie.farthest(9)).toBe(0); // 5 ^ 9 > 9 ^ 9; members 0 and 1 tie, 0 is smaller
    trie.close(0);
    trie.close(0);
    expect(trie.size).toBe(2);
    expect(trie.farthest(9)).toBe(1);
    trie.close(1);
    trie.close(2);
    expect(trie.farthest(9)).toBe(-1);
  });

  it('a single open member is always the answer', () => {
    const trie = new XorTrie(Int32Array.from([7, 7, 3]), Int32Array.from([2]));
    for (const k of [0, 3, 7, 0xffffffff]) expect(trie.farthest(k)).toBe(2);
  });
});
