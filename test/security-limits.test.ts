// Limits against the real ZooKeeper: a poller's assignment node at
// MAX_GROUP_RANGES with the longest poller ids stays within the group's znode
// budget, and a leader facing 2,000 members publishes an epoch of
// MAX_GROUP_RANGES ranges whose every znode stays within it (timed).
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  ZkSession,
  GroupPaths,
  Coordinator,
  createGroupConfig,
  readAssignment,
  encode,
  encodeMemberAssignment,
  MAX_GROUP_RANGES,
  MAX_POLLER_ID_LENGTH,
  GROUP_ZNODE_BUDGET_BYTES,
  memberAssignmentWorstCaseBytes,
  type PublishedAssignment,
} from '../coordinator/index.js';
import { zkConnect, randomName } from './support/env.js';
import { runCli } from './support/node-process.js';

const sessions: ZkSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function session(opTimeoutMs = 20_000): Promise<ZkSession> {
  const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 30_000, opTimeoutMs });
  sessions.push(zk);
  await zk.start();
  return zk;
}

/** A poller id of exactly MAX_POLLER_ID_LENGTH characters, distinct per n. */
function longId(n: number): string {
  const tail = `-${n}`;
  return `${'p'.repeat(MAX_POLLER_ID_LENGTH - tail.length)}${tail}`;
}

describe('limits: ranges', () => {
  it('a poller node of MAX_GROUP_RANGES ranges in the worst layout fits the budget, and ZooKeeper takes it', async () => {
    expect(memberAssignmentWorstCaseBytes(MAX_GROUP_RANGES)).toBeLessThanOrEqual(GROUP_ZNODE_BUDGET_BYTES / 2);
    // Every other range: the layout whose runs are longest, so the bitmap is written.
    const alternate = Array.from({ length: MAX_GROUP_RANGES / 2 }, (_, i) => 2 * i);
    const rest = alternate.map((r) => r + 1);
    const epoch = Number.MAX_SAFE_INTEGER;
    const data = encodeMemberAssignment({ epoch, ranges: alternate, prev: { epoch, ranges: rest } }, MAX_GROUP_RANGES);
    expect(data.length).toBe(memberAssignmentWorstCaseBytes(MAX_GROUP_RANGES));

    const zk = await session();
    const paths = new GroupPaths(randomName('limits'));
    await createGroupConfig(zk, paths, { topic: 't', ranges: MAX_GROUP_RANGES });
    await zk.create(paths.memberAssignment(longId(0)), data);
    await zk.setData(paths.assignment, encode({ epoch, leader: 'l'.repeat(256), at: new Date().toISOString(), reason: 'r'.repeat(512) }), -1);
    const back = await readAssignment(zk, paths, MAX_GROUP_RANGES);
    expect(back.problems).toEqual([]);
    expect(back.record?.owners.filter((o) => o === longId(0))).toHaveLength(MAX_GROUP_RANGES / 2);
    expect(back.record?.owners[0]).toBe(longId(0));
    expect(back.record?.owners[1]).toBeNull();
    console.log(JSON.stringify({ maxRanges: MAX_GROUP_RANGES, worstNodeBytes: data.length, budget: GROUP_ZNODE_BUDGET_BYTES }));

    // The CLI's validation matches.
    const over = await runCli(['create', '--zk', zkConnect(), '--group', randomName('limits'), '--topic', 't', '--ranges', String(MAX_GROUP_RANGES + 1)]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain(`expected an integer from 1 to ${MAX_GROUP_RANGES}`);
  }, 60_000);
});

describe('limits: members', () => {
  it('2,000 members with 128-character ids: the leader publishes an epoch of MAX_GROUP_RANGES ranges, every znode within budget (timed)', async () => {
    const MEMBERS = 2_000;
    const zk = await session();
    const paths = new GroupPaths(randomName('thousands'));
    await createGroupConfig(zk, paths, { topic: 't', ranges: MAX_GROUP_RANGES });
    const ids = Array.from({ length: MEMBERS }, (_, i) => longId(i));
    const t0 = Date.now();
    for (let i = 0; i < MEMBERS; i += 250) {
      await Promise.all(ids.slice(i, i + 250).map((id, j) =>
        zk.create(paths.poller(id), encode({ id, host: 'h', pid: i + j, weight: 1 + ((i + j) % 3), state: 'active', startedAt: new Date().toISOString() }), 'ephemeral'),
      ));
    }
    const createMs = Date.now() - t0;

    const leaderZk = await session();
    const coordinator = new Coordinator({ zk: leaderZk, paths, id: `leader-${randomBytes(2).toString('hex')}`, settleMs: 0 });
    const published = new Promise<PublishedAssignment>((resolve) => coordinator.once('published', resolve));
    const t1 = Date.now();
    try {
      await coordinator.start();
      const p = await published;
      const publishMs = Date.now() - t1;
      const read = await readAssignment(zk, paths, MAX_GROUP_RANGES);
      const rec = read.record!;
      expect(read.problems).toEqual([]);
      expect(rec.owners).toHaveLength(MAX_GROUP_RANGES);
      expect(new Set(rec.owners).size).toBe(MEMBERS);
      expect(rec.reason.length).toBeLessThanOrEqual(512);
      expect(p.epoch).toBe(rec.epoch);
      // weights 1..3: every member within one range of its quota
      const total = ids.reduce((a, _, i) => a + 1 + (i % 3), 0);
      const held = new Map<string, number>();
      for (const o of rec.owners) held.set(o!, (held.get(o!) ?? 0) + 1);
      ids.forEach((id, i) => expect(Math.abs((held.get(id) ?? 0) - (MAX_GROUP_RANGES * (1 + (i % 3))) / total)).toBeLessThan(1));
      const header = await zk.getData(paths.assignment);
      const nodes = await zk.getChildren(paths.assignment);
      expect(nodes).toHaveLength(MEMBERS);
      let largest = header.data.length;
      for (const id of nodes) largest = Math.max(largest, (await zk.exists(paths.memberAssignment(id)))!.dataLength);
      console.log(JSON.stringify({ members: MEMBERS, ranges: MAX_GROUP_RANGES, createMembersMs: createMs, electComputeWriteMs: publishMs, headerBytes: header.data.length, largestZnodeBytes: largest }));
      expect(largest).toBeLessThanOrEqual(GROUP_ZNODE_BUDGET_BYTES);
      expect(publishMs).toBeLessThan(30_000);
    } finally {
      await coordinator.close();
    }
  }, 180_000);
});
