// Limits against the real ZooKeeper: the assignment of MAX_GROUP_RANGES ranges with
// the longest poller ids fits one znode (and the largest R that fits at all
// is measured), and a leader facing 2,000 members computes and writes one
// assignment (timed).
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  ZkSession,
  GroupPaths,
  Coordinator,
  createGroupConfig,
  readAssignment,
  encode,
  MAX_GROUP_RANGES,
  MAX_POLLER_ID_LENGTH,
  ASSIGNMENT_BUDGET_BYTES,
  ZNODE_MAX_BYTES,
  assignmentWorstCaseBytes,
  ZK,
  isZkCode,
  type AssignmentRecord,
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

function worstRecord(ranges: number): AssignmentRecord {
  return {
    epoch: Number.MAX_SAFE_INTEGER,
    leader: 'l'.repeat(256),
    at: new Date(0).toISOString(),
    owners: Array.from({ length: ranges }, (_, i) => longId(i)),
    reason: 'r'.repeat(512),
  };
}

async function waitConnected(zk: ZkSession): Promise<void> {
  for (let i = 0; i < 200 && !zk.connected; i++) await new Promise((r) => setTimeout(r, 100));
  expect(zk.connected).toBe(true);
}

describe('limits: ranges', () => {
  it('the worst-case assignment of MAX_GROUP_RANGES fits; the largest R that fits is measured', async () => {
    expect(assignmentWorstCaseBytes(MAX_GROUP_RANGES)).toBeLessThanOrEqual(ASSIGNMENT_BUDGET_BYTES);
    expect(assignmentWorstCaseBytes(MAX_GROUP_RANGES + 1024)).toBeGreaterThan(ASSIGNMENT_BUDGET_BYTES);
    expect(encode(worstRecord(MAX_GROUP_RANGES)).length).toBe(assignmentWorstCaseBytes(MAX_GROUP_RANGES));

    const zk = await session();
    const paths = new GroupPaths(randomName('limits'));
    await createGroupConfig(zk, paths, { topic: 't', ranges: MAX_GROUP_RANGES });
    const leaderNode = await zk.create(`${paths.leader}/n_`, Buffer.alloc(0), 'ephemeral-sequential');
    // The coordinator's own write: check(leader node) + setData(assignment).
    const write = async (rec: AssignmentRecord) => {
      const data = encode(rec);
      const stat = await zk.exists(paths.assignment);
      await zk.multi([
        { op: 'check', path: leaderNode, version: -1 },
        { op: 'setData', path: paths.assignment, data, version: stat!.version },
      ]);
      return data.length;
    };
    const bytes = await write(worstRecord(MAX_GROUP_RANGES));
    const back = await readAssignment(zk, paths, MAX_GROUP_RANGES);
    expect(back.problem).toBeUndefined();
    expect(back.record?.owners).toHaveLength(MAX_GROUP_RANGES);
    expect(back.record?.owners[MAX_GROUP_RANGES - 1]).toBe(longId(MAX_GROUP_RANGES - 1));

    // Largest R whose worst-case assignment ZooKeeper takes (a larger write
    // makes it drop the connection: CONNECTION_LOSS, not a clean error).
    let lo = MAX_GROUP_RANGES;
    let hi = Math.ceil(ZNODE_MAX_BYTES / (MAX_POLLER_ID_LENGTH + 3)) + 10;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        await write(worstRecord(mid));
        lo = mid;
      } catch (err) {
        expect(isZkCode(err, ZK.CONNECTION_LOSS) || isZkCode(err, ZK.OPERATION_TIMEOUT), String(err)).toBe(true);
        hi = mid;
        await waitConnected(zk);
      }
    }
    console.log(JSON.stringify({ maxRanges: MAX_GROUP_RANGES, bytesAtMax: bytes, largestRThatFits: lo, bytesAtLargest: assignmentWorstCaseBytes(lo) }));
    expect(lo).toBeGreaterThan(MAX_GROUP_RANGES);
    expect(lo).toBeLessThan(8_100);

    // The CLI's validation matches.
    const over = await runCli(['create', '--zk', zkConnect(), '--group', randomName('limits'), '--topic', 't', '--ranges', String(MAX_GROUP_RANGES + 1)]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain(`expected an integer from 1 to ${MAX_GROUP_RANGES}`);
  }, 180_000);
});

describe('limits: members', () => {
  it('2,000 members with 128-character ids: the leader writes one assignment of MAX_GROUP_RANGES ranges (timed)', async () => {
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
      const node = await zk.getData(paths.assignment);
      const rec = JSON.parse(node.data.toString('utf8')) as AssignmentRecord;
      expect(rec.owners).toHaveLength(MAX_GROUP_RANGES);
      expect(new Set(rec.owners).size).toBe(MEMBERS);
      expect(rec.reason.length).toBeLessThanOrEqual(512);
      expect(p.epoch).toBe(rec.epoch);
      // weights 1..3: every member within one range of its quota
      const total = ids.reduce((a, _, i) => a + 1 + (i % 3), 0);
      const held = new Map<string, number>();
      for (const o of rec.owners) held.set(o!, (held.get(o!) ?? 0) + 1);
      ids.forEach((id, i) => expect(Math.abs((held.get(id) ?? 0) - (MAX_GROUP_RANGES * (1 + (i % 3))) / total)).toBeLessThan(1));
      console.log(JSON.stringify({ members: MEMBERS, ranges: MAX_GROUP_RANGES, createMembersMs: createMs, electComputeWriteMs: publishMs, assignmentBytes: node.data.length }));
      expect(node.data.length).toBeLessThanOrEqual(ASSIGNMENT_BUDGET_BYTES);
      expect(publishMs).toBeLessThan(30_000);
    } finally {
      await coordinator.close();
    }
  }, 180_000);
});
