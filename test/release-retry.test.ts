// A graceful release that meets a ZooKeeper hiccup (requests time out, the
// session lives on) must keep trying to commit and delete the lease: giving
// up would leave a live lease that blocks the new owner until this process
// dies. The hiccup is a stalled TCP proxy in front of the real server.
import { describe, expect, it } from 'vitest';
import { createGroupConfig, GroupPaths, parseOffset, ZkSession } from '../coordinator/index.js';
import { AssignedRanges } from '../poller/assigned-ranges.js';
import type { RangeConsumer } from '../poller/range-ownership.js';
import { randomName, zkConnect } from './support/env.js';
import { StallProxy } from './support/stall-proxy.js';
import { sleep, waitFor } from './support/wait-for.js';
import { publishAssignment } from './support/publish-assignment.js';

describe('a range release under a ZooKeeper stall (real ZooKeeper)', () => {
  it('retries the commit and the lease delete until they land, within the same session', async () => {
    const proxy = new StallProxy(zkConnect());
    const direct = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 10_000 });
    let zk: ZkSession | null = null;
    let follower: AssignedRanges | null = null;
    let letStopFinish!: () => void;
    const stopHeld = new Promise<void>((r) => (letStopFinish = r));
    let stops = 0;
    const worker: RangeConsumer = {
      start: () => undefined,
      stop: async () => {
        stops++;
        await stopHeld;
        return 42;
      },
      lost: () => undefined,
      committable: () => null,
    };
    const expired: string[] = [];
    const paths = new GroupPaths(randomName('release'));
    try {
      zk = new ZkSession({ connect: await proxy.start(), sessionTimeoutMs: 10_000, opTimeoutMs: 300 });
      zk.on('state', (s: { type: string }) => void (s.type === 'expired' && expired.push(s.type)));
      follower = new AssignedRanges({ zk, paths, pollerId: 'p1', ranges: 1, consumer: worker });
      await direct.start();
      await zk.start();
      await createGroupConfig(direct, paths, { topic: 't', ranges: 1 });
      await publishAssignment(direct, paths, 1, ['p1']);
      await follower.start();
      const f = follower;
      await waitFor('range 0 owned', () => f.ownership.stateOf(0) === 'owned', { timeoutMs: 10_000 });
      const sessionId = zk.sessionId;

      const released = new Promise<void>((r) => f.ownership.once('released', () => r()));
      await publishAssignment(direct, paths, 2, ['p2']); // the test plays the leader
      await waitFor('the release to stop the worker', () => stops === 1, { timeoutMs: 10_000 });
      proxy.stall();
      letStopFinish(); // the commit and the delete now time out, more than once
      await sleep(2_500);
      expect(await direct.getDataOrNull(paths.lease(0))).not.toBeNull();
      proxy.resume();

      await Promise.race([released, sleep(10_000).then(() => Promise.reject(new Error('not released 10 s after the stall ended')))]);
      expect(await direct.getDataOrNull(paths.lease(0))).toBeNull();
      const offset = parseOffset((await direct.getDataOrNull(paths.offset(0)))?.data);
      expect(offset.ok && offset.value.offset).toBe('42');
      expect(zk.sessionId).toBe(sessionId);
      expect(expired).toEqual([]);
    } finally {
      // Whatever failed: let a held stop finish so close() cannot wait on it, and close everything.
      letStopFinish();
      proxy.resume();
      for (const close of [() => follower?.close(), () => zk?.close(), () => direct.close(), () => proxy.close()]) {
        await Promise.resolve()
          .then(close)
          .catch(() => undefined);
      }
    }
  });
});
