import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { rangeOf } from '../ring/index.js';
import { misplacedKeyCheck } from './misplaced-keys.js';
import type { SourceMessage } from './range-source.js';

/** The first key `k<n>` whose range under 4 ranges is `range4`. */
function keyIn(range4: number): string {
  for (let i = 0; ; i++) if (rangeOf(`k${i}`, 4) === range4) return `k${i}`;
}

const msg = (range: number, offset: number, key: string | null): SourceMessage => ({
  topic: 't', range, partition: range, offset: String(offset), key, value: Buffer.alloc(0), headers: {}, timestamp: '0', attempt: 1,
});

describe('misplacedKeyCheck (a resized group\'s safety net)', () => {
  const config = { version: 1 as const, topic: 't', ranges: 4, split: { from: 2, offsets: ['10', '5'] } };

  it('counts keys of another range at or past the split point, and nothing below it, keyless or in place', () => {
    const counted: number[] = [];
    const check = misplacedKeyCheck(config, pino({ level: 'silent' }), (r) => counted.push(r))!;
    // Partition 1 below 5 holds old range 1 (new ranges 2 and 3); from 5 on, new range 1.
    check(1, [msg(1, 3, keyIn(2)), msg(1, 5, keyIn(1)), msg(1, 6, keyIn(3)), msg(1, 7, null)]);
    expect(counted).toEqual([1]);
    // New partition 3 from offset 0: only new range 3's keys belong there.
    check(3, [msg(3, 0, keyIn(3)), msg(3, 1, keyIn(2))]);
    expect(counted).toEqual([1, 3]);
  });

  it('is not there for a group that was never resized', () => {
    expect(misplacedKeyCheck({ version: 1, topic: 't', ranges: 4 }, pino({ level: 'silent' }), () => undefined)).toBeUndefined();
  });
});
