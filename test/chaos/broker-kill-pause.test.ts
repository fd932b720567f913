import { describe, expect, it } from 'vitest';
import { check } from './checker.js';
import { gapAround, longestGapAround } from './checks/broker-kill-pause.js';
import type { FaultEvent } from './records.js';

const by = (who: string) => (at: number) => ({ at, by: who });
const a = by('p1#0');

describe('gapAround', () => {
  it('is the gap from the last time at or before t to the first after it', () => {
    expect(gapAround([100, 200, 1_900, 2_000].map(a), 250)).toBe(1_700);
    expect(gapAround([100, 250, 400].map(a), 250)).toBe(150);
  });

  it('leaves out a range idle before t, or with nothing after it', () => {
    expect(gapAround([100, 9_000].map(a), 5_000)).toBeNull();
    expect(gapAround([100, 200].map(a), 250)).toBeNull();
    expect(gapAround([300].map(a), 250)).toBeNull();
  });

  it('leaves out a range that changed owner across t (another fault moved it)', () => {
    expect(gapAround([a(100), by('p2#0')(9_000)], 200)).toBeNull();
    expect(gapAround([a(100), by('p1#1')(9_000)], 200)).toBeNull();
  });

  it('takes the longest gap over all ranges', () => {
    expect(longestGapAround(new Map([[0, [0, 100, 200].map(a)], [1, [90, 3_090].map(a)], [2, []]]), 95)).toBe(3_000);
    expect(longestGapAround(new Map([[0, [10_000].map(a)]]), 95)).toBeNull();
  });
});

describe('check: broker kill pauses', () => {
  const handled = (range: number, start: number, id: number) => ({ poller: 'p1', inc: 0, pid: 1, range, offset: id, key: 'k', id, seq: 0, attempt: 1, start, end: start + 1 });
  const kill: FaultEvent = { n: 0, kind: 'broker-kill', target: 'kafka-2', at: 1_000, until: 9_000, detail: 'broker' };
  const freeze: FaultEvent = { n: 1, kind: 'broker-pause', target: 'kafka-1', at: 20_000, until: 27_000, detail: 'active controller' };

  it('measures the pollers and the plain consumer around the same kills and freezes', () => {
    const r = check({
      produced: [],
      handled: [handled(0, 900, 1), handled(0, 5_900, 2), handled(1, 950, 3), handled(1, 1_200, 4), handled(0, 19_900, 5), handled(0, 26_000, 6)],
      history: { leases: [], offsets: [], epochs: [], leaders: [] },
      incarnations: [],
      faults: [kill, freeze],
      sessionTimeoutMs: 4_000,
      plainConsumed: [{ partition: 0, offset: 1, at: 990 }, { partition: 0, offset: 2, at: 5_490 }, { partition: 0, offset: 5, at: 19_950 }, { partition: 0, offset: 6, at: 25_950 }],
    });
    expect(r.brokerKillPauseMs).toEqual({ n: 1, p50: 5_000, max: 5_000 });
    expect(r.plainConsumerFailoverMs).toEqual({ n: 1, p50: 4_500, max: 4_500 });
    expect(r.brokerFreezePauseMs).toEqual({ n: 1, p50: 6_100, max: 6_100 });
    expect(r.plainConsumerFreezeMs).toEqual({ n: 1, p50: 6_000, max: 6_000 });
  });
});
