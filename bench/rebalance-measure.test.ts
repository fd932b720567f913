import { describe, it, expect } from 'vitest';
import { duplicatesIn, eventFigures, formatRecord, median, parseRecord, type Handled } from './rebalance-measure.js';

/** Messages of one partition every `every` ms from `from` to `to`, handled `lag` ms after production for `took` ms. */
function flow(worker: string, partition: number, from: number, to: number, o: { every?: number; lag?: number; took?: number; firstOffset?: number } = {}): Handled[] {
  const every = o.every ?? 40;
  const out: Handled[] = [];
  let offset = o.firstOffset ?? Math.floor(from / every);
  for (let t = from; t < to; t += every) {
    const start = t + (o.lag ?? 5);
    out.push({ worker, partition, offset: offset++, produced: t, start, end: start + (o.took ?? 2) });
  }
  return out;
}

describe('bench:rebalance figures', () => {
  it('a partition that moves after a 3 s gap paused 3 s; one that kept flowing did not', () => {
    const records = [
      ...flow('c', 0, 0, 10_000),
      ...flow('a', 1, 0, 5_000),
      // Partition 1's messages from 5,000 wait until b starts at 8,000 and catches up.
      ...flow('b', 1, 5_000, 10_000, { lag: 0 }).map((r) => ({ ...r, start: Math.max(r.produced, 8_000 + (r.offset - 125) * 2), end: Math.max(r.produced, 8_000 + (r.offset - 125) * 2) + 2 })),
    ];
    const f = eventFigures(records, 2, { kind: 'kill', at: 5_000, worker: 'a', until: 10_000 });
    expect(f.pausedOver200ms).toBe(1);
    expect(f.maxPauseMs).toBe(3_000);
    expect(f.moved).toBe(1);
    expect(f.unmoved).toBe(1);
    expect(f.unmovedMaxPauseMs).toBe(5);
    expect(f.unmovedKeptFlowing).toBe(true);
    // Partition 1 was a's and b took it at 8,000.
    expect(f.handledAgainMs).toBe(3_000);
    expect(f.duplicates).toBe(0);
  });

  it('a steady window (no event) moves nothing, hands nothing on, and shows the pauses there were', () => {
    const records = [...flow('a', 0, 0, 10_000), ...flow('b', 1, 0, 10_000, { lag: 30 })];
    const f = eventFigures(records, 2, { kind: 'steady', at: 1_000, worker: '-', until: 5_000 });
    expect(f.moved).toBe(0);
    expect(f.unmoved).toBe(2);
    expect(f.handledAgainMs).toBeNull();
    expect(f.maxPauseMs).toBe(30);
    expect(f.unmovedMaxPauseMs).toBe(30);
    expect(f.duplicates).toBe(0);
  });

  it('an idle partition is not paused: only time a message waited counts', () => {
    const records = [...flow('a', 0, 0, 1_000), ...flow('a', 0, 6_000, 7_000, { firstOffset: 25 })];
    const f = eventFigures(records, 1, { kind: 'join', at: 2_000, worker: 'b', until: 8_000 });
    expect(f.maxPauseMs).toBe(5);
    expect(f.pausedOver200ms).toBe(0);
  });

  it('an unmoved partition that stalled (eager rebalance) is counted as unmoved but paused', () => {
    const records = [...flow('a', 0, 0, 2_000), ...flow('a', 0, 2_000, 4_000, { lag: 0 }).map((r) => ({ ...r, start: Math.max(r.produced, 3_300), end: Math.max(r.produced, 3_300) + 1 }))];
    const f = eventFigures(records, 1, { kind: 'join', at: 2_000, worker: 'b', until: 4_000 });
    expect(f.unmoved).toBe(1);
    expect(f.unmovedMaxPauseMs).toBe(1_300);
    expect(f.unmovedKeptFlowing).toBe(false);
    expect(f.handledAgainMs).toBeNull();
  });

  it('a wait across two windows counts once, in the window where it ended (the event it was still waiting on)', () => {
    // Produced at 1,000, the consumer killed at 1,010, handled again at 12,000.
    const records: Handled[] = [
      { worker: 'a', partition: 0, offset: 0, produced: 0, start: 5, end: 7 },
      { worker: 'b', partition: 0, offset: 1, produced: 1_000, start: 12_000, end: 12_002 },
    ];
    const join = eventFigures(records, 1, { kind: 'join', at: 500, worker: 'c', until: 1_010 });
    const kill = eventFigures(records, 1, { kind: 'kill', at: 1_010, worker: 'a', until: 20_000 });
    expect(join.maxPauseMs).toBe(0);
    expect(kill.maxPauseMs).toBe(11_000);
    expect(kill.handledAgainMs).toBe(10_990);
  });

  it('counts a message handled again in the window as a duplicate, once per extra handling', () => {
    const first = flow('a', 0, 0, 1_000);
    const again = first.slice(-3).map((r) => ({ ...r, worker: 'b', start: r.start + 5_000, end: r.end + 5_000 }));
    expect(duplicatesIn([...first, ...again], 4_000, 7_000)).toBe(3);
    expect(duplicatesIn([...first, ...again], 0, 4_000)).toBe(0);
  });

  it('records round-trip; a torn line is refused', () => {
    const r: Handled = { worker: 'c1', partition: 3, offset: 42, produced: 1, start: 2, end: 4 };
    expect(parseRecord(formatRecord(r).trimEnd())).toEqual(r);
    expect(parseRecord('c1,3,42,1')).toBeUndefined();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
