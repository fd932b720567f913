import { describe, expect, it } from 'vitest';
import { SplitEnds } from './split-ends.js';

describe('SplitEnds', () => {
  const config = { version: 1 as const, topic: 't', ranges: 4, split: { from: 2, offsets: ['10', '0'] } };

  it('says so once, when a partition is handled up to its split point; partitions split at 0 never', () => {
    const ends = SplitEnds.of(config);
    const at = new Map<number, number>([[0, 9], [1, 5]]);
    const owned = { committable: (range: number) => at.get(range) ?? null };
    expect(ends.reached(0, owned)).toBe(false);
    expect(ends.reached(1, owned)).toBe(false);
    at.set(0, 10);
    expect(ends.reached(0, owned)).toBe(true);
    at.set(0, 12);
    expect(ends.reached(0, owned)).toBe(false);
    expect(ends.reached(3, owned)).toBe(false);
  });

  it('finds the partitions already handled up to their split point when the split is learned, once', () => {
    const ends = SplitEnds.of({ version: 1, topic: 't', ranges: 8, split: { from: 4, offsets: ['10', '7', '3', '0'] } });
    const at = new Map<number, number>([[0, 10], [1, 6], [3, 0]]); // 0 idle at its split point, 1 with backlog, 2 not ours
    const owned = { committable: (range: number) => at.get(range) ?? null };
    expect(ends.reachedAlready(owned)).toBe(true);
    expect(ends.reached(0, owned)).toBe(false); // counted already
    expect(ends.reachedAlready(owned)).toBe(false);
    at.set(1, 7);
    expect(ends.reached(1, owned)).toBe(true);
  });

  it('has nothing to say for a group that was never resized', () => {
    const ends = SplitEnds.of({ version: 1, topic: 't', ranges: 4 });
    expect(ends.reached(0, { committable: () => 100 })).toBe(false);
  });
});
