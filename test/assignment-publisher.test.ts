// How the leader writes an epoch (coordinator/assignment-publisher.ts),
// against a real ZooKeeper: how many requests it takes, and what readers see.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AssignmentPublisher } from '../coordinator/assignment-publisher.js';
import { createGroupConfig, GroupPaths, readAssignment, type ZkSession } from '../coordinator/index.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { randomName } from './support/env.js';
import { spiedSession } from './support/session-spy.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

/** `zk` with the ops of every multi it sends noted in `multis`. */
function counted(zk: ZkSession, multis: string[][]): ZkSession {
  return spiedSession(zk, {
    multi: (real, args) => {
      const ops = args[0] as { op: string; path: string }[];
      multis.push(ops.map((o) => `${o.op} ${o.path.slice(o.path.lastIndexOf('/') + 1)}`));
      return real(...args);
    },
  });
}

async function publisherFor(ranges: number) {
  const zk = await new RingGroups(cleanups, 'publish').session();
  const paths = new GroupPaths(randomName('publish'));
  await createGroupConfig(zk, paths, { topic: 't', ranges });
  await zk.ensure(paths.leader);
  const leaderNode = await zk.create(`${paths.leader}/n_`, Buffer.alloc(0), 'ephemeral-sequential');
  const multis: string[][] = [];
  const publisher = new AssignmentPublisher(counted(zk, multis), paths, ranges, pino({ level: 'silent' }));
  return { zk, paths, leaderNode, publisher, multis };
}

const meta = { leader: 'p', at: 'now', reason: 'test' };

describe('AssignmentPublisher (real ZooKeeper)', () => {
  it('writes an epoch that fits in one request in one multi: the nodes and the header at once', async () => {
    const { zk, paths, leaderNode, publisher, multis } = await publisherFor(8);
    const owners = ['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b'];
    expect(await publisher.publish(leaderNode, owners, meta)).toBe(1);
    expect(multis).toEqual([[`check ${leaderNode.slice(leaderNode.lastIndexOf('/') + 1)}`, 'setData assignment', 'create a', 'create b']]);
    expect((await readAssignment(zk, paths, 8)).record?.owners).toEqual(owners);
    // The next epoch likewise, and a poller left with no ranges loses its node after the commit.
    multis.length = 0;
    expect(await publisher.publish(leaderNode, Array(8).fill('a'), meta)).toBe(2);
    expect(multis.map((m) => m.slice(1))).toEqual([['setData assignment', 'setData a', 'setData b'], ['remove b']]);
    expect((await readAssignment(zk, paths, 8)).record?.owners).toEqual(Array(8).fill('a'));
  });

  it('stages the nodes of a larger epoch in chunks first, then commits the header alone', async () => {
    const ranges = 65_536;
    const { zk, paths, leaderNode, publisher, multis } = await publisherFor(ranges);
    // Thousands of pollers with scattered ranges: more node data than one request may carry.
    const members = Array.from({ length: 12_000 }, (_, i) => `poller-with-a-long-name-${String(i).padStart(5, '0')}`);
    const owners = Array.from({ length: ranges }, (_, r) => members[(r * 7919) % members.length]!);
    expect(await publisher.publish(leaderNode, owners, meta)).toBe(1);
    expect(multis.length).toBeGreaterThan(2);
    expect(multis.at(-1)!.slice(1)).toEqual(['setData assignment']);
    expect(multis.slice(0, -1).every((m) => !m.includes('setData assignment'))).toBe(true);
    expect((await readAssignment(zk, paths, ranges)).record?.owners).toEqual(owners);
  });
});
