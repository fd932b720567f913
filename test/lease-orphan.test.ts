// LeaseStore.dropOrphan against the real ZooKeeper: a lease our session
// created (a create whose reply was lost) is deleted; another session's is not.
// LeaseStore.release tried again, and the round trips of tryAcquire.
import { afterEach, describe, expect, it } from 'vitest';
import { ZkSession, GroupPaths, LeaseStore, OffsetStore, createGroupConfig, encode } from '../coordinator/index.js';
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

describe('LeaseStore.release (real ZooKeeper)', () => {
  it('a release tried again after its remove landed leaves the next owner\'s lease alone (both at version 0)', async () => {
    const [mine, other] = [await session(), await session()];
    const paths = new GroupPaths(randomName('release-again'));
    await createGroupConfig(mine, paths, { topic: 't', ranges: 1 });
    const p1 = new LeaseStore(mine, paths, 'p1');
    const p2 = new LeaseStore(other, paths, 'p2');
    const taken = await p1.tryAcquire(0, 1);
    if (!('lease' in taken)) throw new Error('p1 did not get the lease');
    // p1's remove lands but its reply is lost (p1 still thinks the lease is
    // to be released), and p2 takes the range: a new node, version 0 again.
    await mine.remove(paths.lease(0), taken.lease.version);
    const next = await p2.tryAcquire(0, 2);
    if (!('lease' in next)) throw new Error('p2 did not get the lease');
    expect(next.lease.version).toBe(taken.lease.version);
    await p1.release(taken.lease);
    const node = await other.getDataOrNull(paths.lease(0));
    expect(node && other.ownsEphemeral(node.stat)).toBe(true);
    expect(p1.isCurrent(taken.lease)).toBe(false);
  });
});

describe('LeaseStore.tryAcquire round trips (real ZooKeeper)', () => {
  it('a read sent when the create goes out is served after it: it sees the new lease and the last commit before it', async () => {
    const [mine, other] = [await session(), await session()];
    const paths = new GroupPaths(randomName('read-behind'));
    await createGroupConfig(mine, paths, { topic: 't', ranges: 1 });
    const before = new LeaseStore(other, paths, 'p0');
    const offsetsBefore = new OffsetStore(other, paths, before, 'p0');
    const held = await before.tryAcquire(0, 1);
    if (!('lease' in held)) throw new Error('p0 did not get the lease');
    await offsetsBefore.commit(held.lease, 41);
    await before.release(held.lease);

    const p1 = new LeaseStore(mine, paths, 'p1');
    const offsets = new OffsetStore(mine, paths, p1, 'p1');
    let leaseSeen: Promise<unknown> | null = null;
    let offsetSeen: Promise<number | null> | null = null;
    const res = await p1.tryAcquire(0, 2, {
      look: false,
      sent: () => {
        leaseSeen = mine.getDataOrNull(paths.lease(0));
        offsetSeen = offsets.read(0);
      },
    });
    expect(res).toMatchObject({ created: true, lease: { range: 0, epoch: 2 } });
    expect(await leaseSeen).not.toBeNull();
    expect(await offsetSeen).toBe(41);
  });

  it('without the look, a lease someone holds fails the create and names its holder', async () => {
    const [mine, other] = [await session(), await session()];
    const paths = new GroupPaths(randomName('no-look'));
    await createGroupConfig(mine, paths, { topic: 't', ranges: 1 });
    const taken = await new LeaseStore(other, paths, 'p0').tryAcquire(0, 1);
    expect('lease' in taken).toBe(true);
    const res = await new LeaseStore(mine, paths, 'p1').tryAcquire(0, 2, { look: false });
    expect(res).toEqual({ heldBy: expect.objectContaining({ poller: 'p0', epoch: 1 }) });
  });
});
