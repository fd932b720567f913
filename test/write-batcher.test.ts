// WriteBatcher against the real ZooKeeper: a failed multi names the op that
// failed it (the others are answered OK or RUNTIME_INCONSISTENCY), so one
// fenced commit among many costs only itself.
import { afterEach, describe, expect, it } from 'vitest';
import { ZkSession, WriteBatcher, ZK, encode, type Op } from '../coordinator/index.js';
import { zkConnect, randomName } from './support/env.js';

const sessions: ZkSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

describe('WriteBatcher (real ZooKeeper)', () => {
  it('lands every unit but the fenced ones, in few multis', async () => {
    const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 10_000 });
    sessions.push(zk);
    await zk.start();
    const base = `/ringleader-test/${randomName('batch')}`;
    await zk.mkdirp(`${base}/leases`);
    await zk.mkdirp(`${base}/offsets`);
    for (let r = 0; r < 6; r++) await zk.create(`${base}/leases/${r}`, Buffer.alloc(0), 'ephemeral');
    // Ranges 2 and 4 changed hands: their lease version is no longer 0.
    await zk.setData(`${base}/leases/2`, Buffer.from('x'), 0);
    await zk.setData(`${base}/leases/4`, Buffer.from('x'), 0);
    const writes = new WriteBatcher(zk, 5);
    const unit = (r: number): Op[] => [
      { op: 'check', path: `${base}/leases/${r}`, version: 0 },
      { op: 'create', path: `${base}/offsets/${r}`, data: encode({ offset: String(r) }) },
    ];
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((r) => writes.submit(unit(r), zk.sessionGeneration)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: ZK.BAD_VERSION, path: `${base}/leases/2` });
    expect((await zk.getChildren(`${base}/offsets`)).sort()).toEqual(['0', '1', '3', '5']);
    expect(writes.multisSent).toBe(3);
  });
});
