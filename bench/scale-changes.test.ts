import { describe, expect, it } from 'vitest';
import { splitReadBytes } from './scale-changes.js';

describe('splitReadBytes', () => {
  it('sorts members present before and after by whether their ranges moved', () => {
    const into = { unaffected: [] as number[], affected: [] as number[] };
    const before = new Map([['a', 100], ['b', 100], ['gone', 5]]);
    const after = new Map([['a', 150], ['b', 2_100], ['new', 900]]);
    splitReadBytes(before, after, new Set(['b', 'new', 'gone']), into);
    expect(into).toEqual({ unaffected: [50], affected: [2_000] });
  });
});
