// LeaseStore.dropOrphan against the real ZooKeeper: a lease our session
// created (a create whose reply was lost) is deleted; another session's is not.
import { afterEach, describe, expect, it } from 'vitest';
import { ZkSession, GroupPaths, LeaseStore, createGroupConfig, encode } from '../coordinator/index.js';
import { zkConnect, randomName } from './support/env.js';

const sessions: ZkSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function session(): Promise<ZkSession> {
  const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 10_000 });
  sessions.push(zk);
  await zk.start();
  return zk;
}

describe('LeaseStore.dropOrphan (real ZooKeeper)', () => {
  it('deletes a lease of its own session, and leaves another poller\'s alone', async () => {
    const [mine, other] = [await session(), await session()];
    const paths = new GroupPaths(randomName('orphan'));
    await createGroupConfig(mine, paths, { topic: 't', ranges: 2 });
    await mine.create(paths.lease(0), encode({ poller: 'p1', epoch: 1, at: '' }), 'ephemeral');
    await other.create(paths.lease(1), encode({ poller: 'p2', epoch: 1, at: '' }), 'ephemeral');
    const leases = new LeaseStore(mine, paths, 'p1');
    await leases.dropOrphan(0);
    await leases.dropOrphan(1);
    expect(await mine.exists(paths.lease(0))).toBeNull();
    expect(await mine.exists(paths.lease(1))).not.toBeNull();
  });
});
