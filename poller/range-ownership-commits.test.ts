import { describe, it, expect } from 'vitest';
import type { Lease, Offset } from '../coordinator/index.js';
import { RangeOwnership, type LeasePort, type OffsetPort, type RangeConsumer } from './range-ownership.js';
import { FakeClock, flushPromises } from '../test/support/fake-clock.js';

// When RangeOwnership commits: after handled messages (`progressed()`), at
// most one pass per commit interval, each pass one commit per moved range
// sent together; a sweep catches consumers that never call progressed().

function world(commitIntervalMs: number, commitMs = 2) {
  const clock = new FakeClock();
  const committable = new Map<number, Offset>();
  /** [time, range, offset] of every commit sent. */
  const commits: [number, number, Offset][] = [];
  const leases: LeasePort = {
    tryAcquire: async (range, epoch) => ({ lease: { range, epoch, version: 0, sessionGeneration: 1, released: false } }),
    waitForRelease: async () => undefined,
    release: async (lease) => void (lease.released = true),
    isCurrent: (lease) => !lease.released,
    dropOrphan: async () => undefined,
  };
  const last = new Map<number, Offset>();
  const offsets: OffsetPort = {
    // Every range starts at a committed 0 (a pass has something to write only once a message is handled).
    read: async (range) => {
      last.set(range, 0);
      return 0;
    },
    commit: async (lease: Lease, offset: Offset) => {
      if ((last.get(lease.range) ?? -1) >= offset) return 'unchanged';
      commits.push([clock.now(), lease.range, offset]);
      await clock.sleep(commitMs);
      last.set(lease.range, offset);
      return 'committed';
    },
  };
  const consumer: RangeConsumer = {
    start: (range) => void committable.set(range, 0),
    stop: async (range) => committable.get(range) ?? null,
    lost: (range) => void committable.delete(range),
    committable: (range) => committable.get(range) ?? null,
  };
  const ownership = new RangeOwnership({ pollerId: 'p1', leases, offsets, consumer, leaseWaitMs: 4_000, commitIntervalMs, clock });
  /** A message of `range` handled: its committable offset moves by one. */
  const handle = (range: number) => {
    committable.set(range, committable.get(range)! + 1);
    ownership.progressed();
  };
  return { clock, ownership, commits, handle, committable };
}

async function owning(w: ReturnType<typeof world>, ranges: number[]) {
  w.ownership.start();
  w.ownership.follow({ epoch: 1, ranges: new Set(ranges) });
  for (let i = 0; i < 10; i++) await flushPromises();
  expect(w.ownership.ownedRanges()).toEqual(ranges);
}

describe('RangeOwnership commit cadence (fake clock)', () => {
  it('commits handled messages at once, not at the next sweep', async () => {
    const w = world(500);
    await owning(w, [0]);
    await w.clock.advance(1_000); // a sweep or two: nothing handled, nothing sent
    expect(w.commits).toEqual([]);
    w.handle(0);
    await w.clock.advance(0);
    expect(w.commits).toEqual([[1_000, 0, 1]]);
  });

  it('messages handled across ranges within one interval leave in one pass at its end', async () => {
    const w = world(100);
    await owning(w, [0, 1, 2]);
    w.handle(0);
    await w.clock.advance(0);
    expect(w.commits).toEqual([[0, 0, 1]]);
    for (const [t, r] of [[10, 1], [30, 2], [50, 0], [99, 1]] as const) {
      await w.clock.advance(t - w.clock.now());
      w.handle(r);
    }
    await w.clock.advance(100);
    // One pass at 100 ms: each moved range once, at its latest offset, sent together.
    expect(w.commits.slice(1)).toEqual([[100, 0, 2], [100, 1, 2], [100, 2, 1]]);
    expect(w.ownership.commitPasses).toBe(2);
  });

  it('a steady stream of handled messages gives one pass per interval (the ZooKeeper write bound)', async () => {
    const w = world(100);
    await owning(w, [0, 1, 2, 3]);
    for (let t = 0; t < 2_000; t += 2) {
      await w.clock.advance(t - w.clock.now());
      w.handle((t / 2) % 4);
    }
    await w.clock.advance(200);
    const passTimes = [...new Set(w.commits.map(([t]) => t))];
    expect(passTimes.length).toBe(w.ownership.commitPasses);
    for (let i = 1; i < passTimes.length; i++) expect(passTimes[i]! - passTimes[i - 1]!).toBeGreaterThanOrEqual(100);
    expect(passTimes.length).toBeGreaterThanOrEqual(19);
    expect(passTimes.length).toBeLessThanOrEqual(21);
    // What a crash right now could deliver again: nothing, the last pass came after the last message.
    expect(w.commits.filter(([, r]) => r === 0).at(-1)![2]).toBe(250);
  });

  it('a consumer that never calls progressed() is still committed by the sweep', async () => {
    const w = world(300);
    await owning(w, [0]);
    w.committable.set(0, 7); // moved without telling the ownership
    await w.clock.advance(300);
    expect(w.commits).toEqual([[300, 0, 7]]);
  });

  it('nothing is committed by the cadence after close() began (the final commits are the release\'s)', async () => {
    const w = world(100);
    await owning(w, [0]);
    w.handle(0);
    await w.clock.advance(0);
    const closing = w.ownership.close(0);
    w.handle(0);
    await w.clock.advance(1_000);
    await closing;
    // The request made after close() would have left at 100 ms: only the release's commit was sent.
    expect(w.commits.every(([t]) => t < 100)).toBe(true);
    expect(w.ownership.commitPasses).toBe(1);
  });
});
