// The settle window batches joins; a member that leaves (its session expired
// or it stopped) or rewrites its node (draining, unhealthy) is acted on after
// a much shorter window, because that wait adds to every failover. Real ZooKeeper; members are bare ephemeral nodes.
import { describe, expect, it } from 'vitest';
import { Coordinator, createGroupConfig, encode, GroupPaths, readAssignment, ZkSession } from '../coordinator/index.js';
import { randomName, zkConnect } from './support/env.js';
import { waitFor } from './support/wait-for.js';

const SETTLE_MS = 1_500;

describe('coordinator settle windows (real ZooKeeper)', () => {
  it('batches joins for the settle window but reassigns a departed or unhealthy member at once', async () => {
    const sessions: ZkSession[] = [];
    const session = async () => {
      const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
      sessions.push(zk);
      await zk.start();
      return zk;
    };
    let coordinator: Coordinator | null = null;
    try {
      const admin = await session();
      const paths = new GroupPaths(randomName('settle'));
      await createGroupConfig(admin, paths, { topic: 't', ranges: 8 });
      const join = async (id: string) => {
        const zk = await session();
        await zk.create(paths.poller(id), encode({ id, host: 'test', pid: 1, weight: 1, state: 'active', startedAt: new Date().toISOString() }), 'ephemeral');
        return zk;
      };
      const owners = async () => new Set((await readAssignment(admin, paths, 8)).record?.owners ?? []);

      coordinator = new Coordinator({ zk: await session(), paths, id: 'c1', settleMs: SETTLE_MS });
      await coordinator.start();
      const m1 = await join('m1');
      const m2 = await join('m2');
      await waitFor('m1 and m2 own ranges', async () => (await owners()).has('m2') && (await owners()).has('m1'), { timeoutMs: 10_000 });

      let t0 = Date.now();
      await m2.close(); // its node goes with its session
      await waitFor('m2 removed from the assignment', async () => !(await owners()).has('m2'), { timeoutMs: 10_000, everyMs: 10 });
      const departureMs = Date.now() - t0;

      t0 = Date.now();
      await join('m3');
      await waitFor('m3 in the assignment', async () => (await owners()).has('m3'), { timeoutMs: 10_000, everyMs: 10 });
      const joinMs = Date.now() - t0;

      t0 = Date.now();
      const unhealthy = { reason: 'fetch-stall', since: new Date().toISOString(), detail: 'test' };
      await m1.setData(paths.poller('m1'), encode({ id: 'm1', host: 'test', pid: 1, weight: 1, state: 'active', startedAt: new Date().toISOString(), unhealthy }));
      await waitFor('m1 (unhealthy) removed from the assignment', async () => !(await owners()).has('m1'), { timeoutMs: 10_000, everyMs: 10 });
      const unhealthyMs = Date.now() - t0;

      expect(departureMs).toBeLessThan(SETTLE_MS / 2);
      expect(unhealthyMs).toBeLessThan(SETTLE_MS / 2);
      expect(joinMs).toBeGreaterThanOrEqual(SETTLE_MS - 50);
    } finally {
      await coordinator?.close();
      for (const zk of sessions) await zk.close().catch(() => undefined);
    }
  });
});
