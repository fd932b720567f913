import { describe, expect, it } from 'vitest';
import { createGroupConfig, encode, GroupPaths, LeaderLatch, ZkSession } from '../coordinator/index.js';
import { randomName, zkConnect } from './support/env.js';
import { sleep, waitFor } from './support/wait-for.js';

async function group(zk: ZkSession): Promise<GroupPaths> {
  const paths = new GroupPaths(randomName('latch'));
  await createGroupConfig(zk, paths, { topic: 't', ranges: 1 });
  return paths;
}

describe('LeaderLatch against real ZooKeeper', () => {
  it('deletes an orphaned candidate node of its own session instead of waiting on it forever', async () => {
    const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
    let latch: LeaderLatch | null = null;
    try {
      await zk.start();
      const paths = await group(zk);
      latch = new LeaderLatch(zk, paths, 'c1');
      const l = latch;
      // A create whose reply was lost (connection loss, then a retry): the node
      // exists and belongs to our session, but the latch never learned its name.
      const orphan = await zk.create(`${paths.leader}/n_`, encode({ id: 'c1' }), 'ephemeral-sequential');
      await l.start();
      await waitFor('leadership despite the orphan ahead of our node', () => l.hasLeadership, { timeoutMs: 5_000 });
      expect(await zk.getDataOrNull(orphan)).toBeNull();
      expect(l.nodePath).not.toBe(orphan);
    } finally {
      await latch?.close().catch(() => undefined);
      await zk.close().catch(() => undefined);
    }
  });

  it('waits behind a lower candidate of another live session, and leads once it leaves', async () => {
    const a = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
    const b = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
    const paths = new GroupPaths(randomName('latch'));
    const first = new LeaderLatch(a, paths, 'a');
    const second = new LeaderLatch(b, paths, 'b');
    try {
      await a.start();
      await b.start();
      await createGroupConfig(a, paths, { topic: 't', ranges: 1 });
      await first.start();
      await waitFor('a leads', () => first.hasLeadership, { timeoutMs: 5_000 });
      await second.start();
      await sleep(500);
      expect(second.hasLeadership).toBe(false);
      expect(await a.getChildren(paths.leader)).toHaveLength(2); // nothing of a's deleted by b
      await first.close();
      await waitFor('b leads after a left', () => second.hasLeadership, { timeoutMs: 5_000 });
    } finally {
      for (const c of [first, second, a, b]) await c.close().catch(() => undefined);
    }
  });
});
