// `ringleader drain <id>` asks through the member node, which dies with the
// poller's session: a poller whose session expires before it reads the
// request registers again as active, without it. The drain must ask again
// rather than report the poller gone (or give up while it keeps running).
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupConfig, encode, GroupPaths, parseMember, ZkSession } from '../coordinator/index.js';
import { randomName, zkConnect } from './support/env.js';
import { startCli } from './support/node-process.js';
import { Cleanups } from './support/cleanups.js';
import { waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function session(): Promise<ZkSession> {
  const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
  await zk.start();
  cleanups.add(() => zk.close());
  return zk;
}

const member = (id: string) =>
  encode({ id, host: 'test', pid: 1, weight: 1, state: 'active', startedAt: new Date().toISOString() });

async function stateOf(zk: ZkSession, path: string): Promise<string | null> {
  const node = await zk.getDataOrNull(path);
  if (!node) return null;
  const parsed = parseMember(node.data);
  return parsed.ok ? parsed.value.state : null;
}

describe('ringleader drain across a session expiry of the poller (real ZooKeeper)', () => {
  it('asks again when the poller registers again without the request, and ends when it leaves', async () => {
    const admin = await session();
    const paths = new GroupPaths(randomName('drain'));
    await createGroupConfig(admin, paths, { topic: 't', ranges: 1 });
    const path = paths.poller('p1');
    const first = await session();
    await first.create(path, member('p1'), 'ephemeral');

    const drain = startCli(['drain', 'p1', '--zk', zkConnect(), '--group', paths.group, '--timeout', '30000', '--log-level', 'info']);
    cleanups.add(() => drain.stop(5_000));
    await waitFor('the drain request', async () => (await stateOf(admin, path)) === 'draining');

    // The poller's session ends before it read the request; it registers again, active.
    await first.close();
    const second = await session();
    await second.create(path, member('p1'), 'ephemeral');
    await waitFor('the drain asked again', async () => (await stateOf(admin, path)) === 'draining', { timeoutMs: 10_000 });
    expect(drain.running, drain.stderr).toBe(true);

    // Now it leaves for good: the drain ends, successfully.
    await second.close();
    const exit = await drain.exited;
    expect(exit.code, drain.stderr).toBe(0);
    expect(JSON.parse(drain.stdout.trim().split('\n').pop()!)).toMatchObject({ poller: 'p1', drained: true });
  });
});
