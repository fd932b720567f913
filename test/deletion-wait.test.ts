// waitForDeletion (coordinator/deletion-wait.ts) against a real ZooKeeper:
// a node deleted and created again before the waiter looks is gone too (a
// poller whose session ended and that registered again at once).
import { afterEach, describe, expect, it } from 'vitest';
import { waitForDeletion } from '../coordinator/index.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { randomName } from './support/env.js';
import { sleep } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const session = () => new RingGroups(cleanups, 'deletion').session();

/** A waiter's session, and a node made by another session (removed at the end). */
async function watchedNode() {
  const zk = await session();
  const admin = await session();
  const path = `/${randomName('deletion-wait')}`;
  await admin.create(path, Buffer.from('a'));
  cleanups.add(() => admin.remove(path, -1).catch(() => undefined));
  return { zk, admin, path };
}

describe('waitForDeletion (real ZooKeeper)', () => {
  it('ends when the node is deleted and created again in one step', async () => {
    const { zk, admin, path } = await watchedNode();
    const t0 = Date.now();
    const waited = waitForDeletion(zk, path, 20_000);
    await sleep(200);
    await admin.multi([
      { op: 'remove', path, version: -1 },
      { op: 'create', path, data: Buffer.from('b') },
    ]);
    await waited;
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('goes on waiting when the node only changes', async () => {
    const { zk, admin, path } = await watchedNode();
    let ended = false;
    const waited = waitForDeletion(zk, path, 20_000).then(() => (ended = true));
    await sleep(200);
    await admin.setData(path, Buffer.from('b'), -1);
    await sleep(500);
    expect(ended).toBe(false);
    await admin.remove(path, -1);
    await waited;
  });
});
