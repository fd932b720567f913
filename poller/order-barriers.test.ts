import { describe, expect, it } from 'vitest';
import { encode, GroupPaths, type ZkSession } from '../coordinator/index.js';
import { orderBarriers } from './order-barriers.js';

/** Just enough of a session for waitForCommitted: offsets/<p> nodes read from a map. */
function fakeZk(committed: Map<number, string>): ZkSession {
  const data = (path: string) => {
    const p = Number(path.split('/').pop());
    const offset = committed.get(p);
    return offset === undefined ? null : { data: encode({ offset, poller: 'x', epoch: 1, at: 'now' }), stat: {} };
  };
  return {
    exists: async (path: string) => (data(path) ? {} : null),
    getDataOrNull: async (path: string) => data(path),
  } as unknown as ZkSession;
}

describe('orderBarriers', () => {
  const paths = new GroupPaths('g');
  const config = { version: 1 as const, topic: 't', ranges: 8, split: { from: 4, offsets: ['100', '50', '0', '7'] } };

  it('holds each new range at its split point (0 for new partitions) behind its parent; range 0 and drained parents hold nothing', async () => {
    const committed = new Map<number, string>([[0, '100'], [1, '20']]);
    const barrier = orderBarriers(fakeZk(committed), paths, config)!.of;
    expect(barrier(0)).toBeNull();
    expect(barrier(1)!.holdFrom).toBe(50);
    expect(barrier(2)!.holdFrom).toBe(0);
    expect(barrier(5)!.holdFrom).toBe(0); // parent 2 split at 0: nothing to wait for
    const signal = new AbortController().signal;
    await barrier(1)!.wait(signal); // parent 0 is committed up to 100
    expect(barrier(1)).toBeNull(); // parent 0 is known drained now
    expect(barrier(3)!.holdFrom).toBe(7);
    await barrier(5)!.wait(signal);

    // Parent 1 (split at 50) is only at 20: the wait goes on until it gets there.
    let done = false;
    const waiting = barrier(2)!.wait(signal).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    committed.set(1, '50');
    // (no watch in the fake: the periodic re-read finds it)
    await waiting;
    expect(done).toBe(true);
  });

  it('a look reads the parent once: a child about to start has no barrier if the parent got there, and a wait takes up a look under way', async () => {
    const committed = new Map<number, string>([[0, '100'], [1, '20']]);
    const zk = fakeZk(committed);
    let reads = 0;
    const read = zk.getDataOrNull.bind(zk);
    zk.getDataOrNull = async (path: string) => {
      reads++;
      return read(path);
    };
    const barrier = orderBarriers(zk, paths, config)!.of;
    barrier(1)!.look(); // parent 0, there
    barrier(3)!.look(); // parent 1, not there
    barrier(2)!.look(); // parent 1 again: the same read
    await new Promise((r) => setTimeout(r, 10));
    expect(reads).toBe(2);
    expect(barrier(1)).toBeNull();
    expect(barrier(3)!.holdFrom).toBe(7);

    committed.set(1, '50');
    reads = 0;
    barrier(3)!.look();
    await barrier(2)!.wait(new AbortController().signal); // took up the look: no read of its own
    expect(reads).toBe(1);
    expect(barrier(3)).toBeNull();
  });

  it('a wait ends with the abort of its range', async () => {
    const barrier = orderBarriers(fakeZk(new Map()), paths, config)!.of;
    const abort = new AbortController();
    const waiting = barrier(2)!.wait(abort.signal);
    abort.abort();
    await expect(waiting).rejects.toThrow();
  });

  it('says which ranges the split created or changed (range 0 is its own parent)', () => {
    const b = orderBarriers(fakeZk(new Map()), paths, config)!;
    expect([0, 1, 2, 3, 4, 7].map((r) => b.fromSplit(r))).toEqual([false, true, true, true, true, true]);
  });

  it('is not there for a group that was never resized', () => {
    expect(orderBarriers(fakeZk(new Map()), paths, { version: 1, topic: 't', ranges: 4 })).toBeUndefined();
  });
});
