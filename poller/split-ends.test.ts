import { describe, expect, it } from 'vitest';
import { SplitEnds } from './split-ends.js';

describe('SplitEnds', () => {
  const config = { version: 1 as const, topic: 't', ranges: 4, split: { from: 2, offsets: ['10', '0'] } };

  it('says so once, when a partition is handled up to its split point; partitions split at 0 never', () => {
    const ends = new SplitEnds(config);
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

  it('has nothing to say for a group that was never resized', () => {
    const ends = new SplitEnds({ version: 1, topic: 't', ranges: 4 });
    expect(ends.reached(0, { committable: () => 100 })).toBe(false);
  });
});
