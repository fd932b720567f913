import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PartitionCursor, type FetchedBatch } from './partition-cursor.js';

interface Msg {
  offset: string;
}

/** A batch as kafkajs builds it: messages at or above the fetch position, ascending, maybe with gaps. */
function batch(fetchedOffset: number, offsets: number[], opts: { lastOffset?: number; stale?: boolean } = {}): FetchedBatch<Msg> {
  return {
    fetchedOffset,
    lastOffset: opts.lastOffset ?? offsets[offsets.length - 1] ?? fetchedOffset,
    messages: offsets.map((o) => ({ offset: String(o) })),
    isStale: () => opts.stale ?? false,
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const offsetsOf = (messages: Msg[]) => messages.map((m) => Number(m.offset));

function assignedAt(offset: number): PartitionCursor {
  const c = new PartitionCursor();
  expect(c.assignAt(c.beginAssign(), offset)).toBe(true);
  return c;
}

/** Batches kafkajs may hand over: any start, ascending offsets from there with gaps (compaction, filtered records). */
const arbBatch = fc
  .record({
    fetched: fc.nat({ max: 200 }),
    gaps: fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 20 }),
    tail: fc.nat({ max: 3 }),
    stale: fc.boolean(),
  })
  .map(({ fetched, gaps, tail, stale }) => {
    const offsets: number[] = [];
    let at = fetched;
    for (const gap of gaps) {
      at += gap;
      offsets.push(at);
      at++;
    }
    return batch(fetched, offsets, { lastOffset: offsets[offsets.length - 1]! + tail, stale });
  });

describe('PartitionCursor: which messages of a batch are delivered', () => {
  it('delivers a batch that starts where it expects, whole, and moves past it', () => {
    const c = assignedAt(10);
    const taken = c.take(batch(10, range(10, 5)))!;
    expect(offsetsOf(taken.messages)).toEqual(range(10, 5));
    expect(taken).toMatchObject({ expected: 10, surprise: null });
    expect(c.next).toBe(15);
  });

  it('keeps only what it has not delivered from a batch that starts before the expected offset, and says so right after a seek', () => {
    const c = assignedAt(7);
    const taken = c.take(batch(3, range(3, 10)))!;
    expect(offsetsOf(taken.messages)).toEqual(range(7, 6));
    expect(taken.surprise).toBe('before');
    expect(c.next).toBe(13);
    // Later batches of the same kind are filtered silently: only a seek is reported.
    const again = c.take(batch(11, range(11, 4)))!;
    expect(offsetsOf(again.messages)).toEqual([13, 14]);
    expect(again.surprise).toBeNull();
  });

  it('reports a start above the assigned offset right after a seek (deleted by retention), not later (filtered records)', () => {
    const c = assignedAt(5);
    const first = c.take(batch(40, range(40, 3)))!;
    expect(offsetsOf(first.messages)).toEqual([40, 41, 42]);
    expect(first.surprise).toBe('unavailable');
    const later = c.take(batch(50, [50]))!;
    expect(later.surprise).toBeNull();
    expect(c.next).toBe(51);
  });

  it('moves past records kafkajs filtered out at the end of a batch', () => {
    const c = assignedAt(0);
    const taken = c.take(batch(0, [], { lastOffset: 9 }))!;
    expect(taken.messages).toEqual([]);
    expect(c.next).toBe(10);
  });

  it('never moves backwards on a batch wholly below the expected offset', () => {
    const c = assignedAt(20);
    const taken = c.take(batch(5, range(5, 5)))!;
    expect(taken.messages).toEqual([]);
    expect(c.next).toBe(20);
  });

  it('drops a stale batch or one of a range not assigned, changing nothing', () => {
    const c = assignedAt(3);
    expect(c.take(batch(0, range(0, 10), { stale: true }))).toBeNull();
    expect(c).toMatchObject({ next: 3, justSeeked: true });
    c.revoke();
    expect(c.take(batch(3, range(3, 10)))).toBeNull();
    expect(c.next).toBe(3);
    expect(new PartitionCursor().take(batch(0, [0]))).toBeNull();
  });
});

describe('PartitionCursor: delivery over any run of batches', () => {
  it('over any run of batches after an assign: delivers each offset at most once, ascending, none below the assigned one, none skipped', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100 }), fc.array(arbBatch, { maxLength: 30 }), (start, batches) => {
        const c = assignedAt(start);
        const delivered: number[] = [];
        for (const b of batches) {
          const expected = c.next;
          const taken = c.take(b);
          if (b.isStale()) {
            expect(taken).toBeNull();
            expect(c.next).toBe(expected);
            continue;
          }
          const got = offsetsOf(taken!.messages);
          // Everything of the batch at or above the expected offset is delivered.
          expect(got).toEqual(offsetsOf(b.messages).filter((o) => o >= expected));
          expect(c.next).toBe(Math.max(expected, b.lastOffset + 1));
          delivered.push(...got);
        }
        for (let i = 1; i < delivered.length; i++) expect(delivered[i]!).toBeGreaterThan(delivered[i - 1]!);
        if (delivered.length > 0) expect(delivered[0]!).toBeGreaterThanOrEqual(start);
      }),
    );
  });

  it('reports a surprise at most once per seek, and only for a batch that does not start at the expected offset', () => {
    fc.assert(
      fc.property(fc.nat({ max: 100 }), fc.array(arbBatch, { maxLength: 10 }), (start, batches) => {
        const c = assignedAt(start);
        let seekPending = true;
        for (const b of batches) {
          const expected = c.next;
          const taken = c.take(b);
          if (!taken) continue;
          const want = !seekPending ? null : b.fetchedOffset < expected ? 'before' : b.fetchedOffset > expected ? 'unavailable' : null;
          expect(taken.surprise).toBe(want);
          seekPending = false;
        }
      }),
    );
  });
});

describe('PartitionCursor: assign, revoke, backpressure, rejoin', () => {
  it('lets a revoke or a later assign win over an assign still resolving its offset', () => {
    const c = new PartitionCursor();
    const slow = c.beginAssign();
    c.revoke();
    expect(c.assignAt(slow, 5)).toBe(false);
    expect(c.assigned).toBe(false);

    const first = c.beginAssign();
    const second = c.beginAssign();
    expect(c.assignAt(second, 9)).toBe(true);
    expect(c.assignAt(first, 2)).toBe(false);
    expect(c.next).toBe(9);
  });

  it('asks to pause on revoke only when assigned, and forgets backpressure', () => {
    const c = assignedAt(0);
    expect(c.hold()).toBe(true);
    expect(c.revoke()).toBe(true);
    expect(c).toMatchObject({ assigned: false, pausedByPoller: false });
    expect(c.revoke()).toBe(false);
  });

  it('asks to pause and resume only on a change, and only while assigned', () => {
    const c = new PartitionCursor();
    expect(c.hold()).toBe(false);
    c.assignAt(c.beginAssign(), 0);
    expect(c.release()).toBe(false);
    expect(c.hold()).toBe(true);
    expect(c.hold()).toBe(false);
    expect(c.release()).toBe(true);
    expect(c.release()).toBe(false);
  });

  it('an assign clears backpressure', () => {
    const c = assignedAt(0);
    c.hold();
    c.assignAt(c.beginAssign(), 4);
    expect(c.pausedByPoller).toBe(false);
  });

  it('after a group join, seeks an assigned range to its next offset (paused if held) and keeps the others paused', () => {
    expect(new PartitionCursor().rejoined()).toEqual({ seekTo: null, paused: true });
    const c = assignedAt(3);
    c.take(batch(3, range(3, 4)));
    expect(c.justSeeked).toBe(false);
    expect(c.rejoined()).toEqual({ seekTo: 7, paused: false });
    expect(c.justSeeked).toBe(true);
    c.hold();
    expect(c.rejoined()).toEqual({ seekTo: 7, paused: true });
  });

  it('rewinds an assigned range to a batch that was not delivered, and not a revoked one', () => {
    const c = assignedAt(0);
    const taken = c.take(batch(0, range(0, 5)))!;
    expect(c.moveTo(taken.expected)).toBe(true);
    expect(c).toMatchObject({ next: 0, justSeeked: true });
    c.revoke();
    expect(c.moveTo(0)).toBe(false);
  });
});
