import { describe, it, expect } from 'vitest';
import type { AcquireHow, AcquireResult, Offset } from '../coordinator/index.js';
import { RangeOwnership, type LeasePort, type OffsetPort, type RangeConsumer } from './range-ownership.js';
import { FakeClock, flushPromises } from '../test/support/fake-clock.js';

// The round trips of one acquisition: the offset read goes out behind the
// lease create (not after its reply), the consumer may prepare meanwhile
// (a split's barrier look), and a range a split just made is leased without
// looking for a holder first.

interface Step {
  what: string;
  look?: boolean;
}

/**
 * `found`: tryAcquire finds the lease ours already (a create whose reply was
 * lost) instead of making it, so reads sent behind the create prove nothing.
 */
function world(found = false) {
  const steps: Step[] = [];
  const committed = 7;
  const leases: LeasePort = {
    tryAcquire: async (range, epoch, how: AcquireHow = {}): Promise<AcquireResult> => {
      steps.push({ what: 'create', look: how.look !== false });
      how.sent?.();
      await flushPromises();
      steps.push({ what: 'create replied' });
      const lease = { range, epoch, version: 0, sessionGeneration: 1, released: false };
      return found ? { lease } : { lease, created: true };
    },
    waitForRelease: async () => undefined,
    release: async (lease) => void (lease.released = true),
    isCurrent: (lease) => !lease.released,
    dropOrphan: async () => undefined,
  };
  const offsets: OffsetPort = {
    read: async () => {
      steps.push({ what: 'read' });
      return committed;
    },
    commit: async () => 'unchanged',
  };
  const startedFrom = new Map<number, Offset | null>();
  const consumer: RangeConsumer = {
    prepare: () => void steps.push({ what: 'prepare' }),
    start: (range, from) => void startedFrom.set(range, from),
    stop: async () => null,
    lost: () => undefined,
    committable: () => null,
  };
  const ownership = new RangeOwnership({ pollerId: 'p1', leases, offsets, consumer, leaseWaitMs: 4_000, clock: new FakeClock() });
  const follow = async (epoch: number, ranges: number[]) => {
    ownership.follow({ epoch, ranges: new Set(ranges) });
    for (let i = 0; i < 20; i++) await flushPromises();
  };
  return { steps, ownership, startedFrom, follow };
}

describe('RangeOwnership acquisition round trips', () => {
  it('sends the offset read right behind the lease create, lets the consumer prepare, and starts from what it read', async () => {
    const w = world();
    await w.follow(1, [0]);
    expect(w.steps.map((s) => s.what)).toEqual(['create', 'read', 'prepare', 'create replied']);
    expect(w.startedFrom.get(0)).toBe(7);
  });

  it('reads again after the reply when the lease was found ours rather than made', async () => {
    const w = world(true);
    await w.follow(1, [0]);
    expect(w.steps.map((s) => s.what)).toEqual(['create', 'read', 'prepare', 'create replied', 'read']);
  });

  it('leases a range a split just made without looking first, once; later acquisitions look', async () => {
    const w = world();
    w.ownership.rangesAdded(2, 4);
    await w.follow(1, [1, 3]);
    expect(w.steps.filter((s) => s.what === 'create').map((s) => s.look)).toEqual([true, false]);
    await w.follow(2, [1]); // range 3 given back ...
    w.steps.length = 0;
    await w.follow(3, [1, 3]); // ... and given again: someone may hold it now
    expect(w.steps.filter((s) => s.what === 'create').map((s) => s.look)).toEqual([true]);
  });
});
