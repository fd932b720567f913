// readGroupSnapshot reads several znodes one after another while the group
// moves on. A fake session answers each read from the state of the moment it
// is sent, like ZooKeeper answers one session's reads in order, and a join
// (member node, then assignment, then lease moves) is applied at every
// possible point between the reads: no snapshot may show an effect without
// its cause.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GroupPaths } from './group-paths.js';
import { readGroupSnapshot } from './group-snapshot.js';
import { encode, encodeMemberAssignment, type MemberAssignmentNode } from './znodes.js';
import type { ZkSession } from './zk-session.js';

const paths = new GroupPaths('g');
const RANGES = 4;
const at = new Date(0).toISOString();
const node = (n: MemberAssignmentNode) => encodeMemberAssignment(n, RANGES);

function initialTree(): Map<string, Buffer> {
  const t = new Map<string, Buffer>();
  t.set(paths.config, encode({ version: 1, topic: 't', ranges: RANGES }));
  for (const id of ['w1', 'w2']) t.set(paths.poller(id), encode({ id, host: 'h', pid: 1, weight: 1, state: 'active', startedAt: at }));
  t.set(`${paths.leader}/n_0000000001`, encode({ id: 'c1' }));
  t.set(paths.assignment, encode({ epoch: 1, leader: 'c1', at, reason: 'start' }));
  t.set(paths.memberAssignment('w1'), node({ epoch: 1, ranges: [0, 1], prev: { epoch: 0, ranges: [] } }));
  t.set(paths.memberAssignment('w2'), node({ epoch: 1, ranges: [2, 3], prev: { epoch: 0, ranges: [] } }));
  ['w1', 'w1', 'w2', 'w2'].forEach((p, r) => {
    t.set(paths.lease(r), encode({ poller: p, epoch: 1, at }));
    t.set(paths.offset(r), encode({ offset: '0', poller: p, epoch: 1, at }));
  });
  return t;
}

/**
 * w3 joins; the leader stages epoch 2 (ranges 1 and 3 to w3) node by node,
 * then commits it in the header; w1 and w2 release them and w3 takes them.
 */
const steps: ((t: Map<string, Buffer>) => void)[] = [
  (t) => t.set(paths.poller('w3'), encode({ id: 'w3', host: 'h', pid: 3, weight: 1, state: 'active', startedAt: at })),
  (t) => t.set(paths.memberAssignment('w3'), node({ epoch: 2, ranges: [1, 3], prev: { epoch: 0, ranges: [] } })),
  (t) => {
    t.set(paths.memberAssignment('w1'), node({ epoch: 2, ranges: [0], prev: { epoch: 1, ranges: [0, 1] } }));
    t.set(paths.memberAssignment('w2'), node({ epoch: 2, ranges: [2], prev: { epoch: 1, ranges: [2, 3] } }));
  },
  (t) => t.set(paths.assignment, encode({ epoch: 2, leader: 'c1', at, reason: 'joined: w3' })),
  (t) => {
    t.delete(paths.lease(1));
    t.delete(paths.lease(3));
  },
  (t) => {
    t.set(paths.lease(1), encode({ poller: 'w3', epoch: 2, at }));
    t.set(paths.lease(3), encode({ poller: 'w3', epoch: 2, at }));
  },
];

/** The state after the join: epoch 2, w3 holds ranges 1 and 3. */
function joinedTree(): Map<string, Buffer> {
  const t = initialTree();
  for (const step of steps) step(t);
  return t;
}

/**
 * w3 leaves gracefully: it releases its leases and deletes its member node;
 * the leader stages epoch 3 (its ranges back to w1 and w2, w3's node
 * emptied), commits it in the header, then deletes w3's empty node; w1 and w2
 * take the ranges.
 */
const leaveSteps: ((t: Map<string, Buffer>) => void)[] = [
  (t) => {
    t.delete(paths.lease(1));
    t.delete(paths.lease(3));
  },
  (t) => t.delete(paths.poller('w3')),
  (t) => {
    t.set(paths.memberAssignment('w1'), node({ epoch: 3, ranges: [0, 1], prev: { epoch: 2, ranges: [0] } }));
    t.set(paths.memberAssignment('w2'), node({ epoch: 3, ranges: [2, 3], prev: { epoch: 2, ranges: [2] } }));
    t.set(paths.memberAssignment('w3'), node({ epoch: 3, ranges: [], prev: { epoch: 2, ranges: [1, 3] } }));
  },
  (t) => t.set(paths.assignment, encode({ epoch: 3, leader: 'c1', at, reason: 'left: w3' })),
  (t) => t.delete(paths.memberAssignment('w3')),
  (t) => {
    t.set(paths.lease(1), encode({ poller: 'w1', epoch: 3, at }));
    t.set(paths.lease(3), encode({ poller: 'w2', epoch: 3, at }));
  },
];

/**
 * A session whose tree takes step i just before read number when[i] is
 * answered. Data versions count the writes of each path, as ZooKeeper's do.
 */
function fakeSession(tree: Map<string, Buffer>, scenario: typeof steps, when: number[]): { zk: ZkSession; reads: () => number } {
  let reads = 0;
  let next = 0;
  const versions = new Map<string, number>();
  const advance = () => {
    while (next < scenario.length && when[next]! <= reads) {
      const before = new Map(tree);
      scenario[next++]!(tree);
      for (const [path, data] of tree) if (before.get(path) !== data) versions.set(path, (versions.get(path) ?? 0) + 1);
    }
    reads++;
  };
  const zk = {
    async getDataOrNull(path: string) {
      advance();
      const data = tree.get(path);
      // Stat times as the server sends them: 8-byte big-endian ms.
      const time = Buffer.alloc(8);
      time.writeBigInt64BE(BigInt(Date.parse(at)));
      return data ? { data, stat: { version: versions.get(path) ?? 0, ctime: time, mtime: time } } : null;
    },
    async getChildren(path: string) {
      advance();
      const prefix = `${path}/`;
      return [...tree.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length));
    },
  };
  return { zk: zk as unknown as ZkSession, reads: () => reads };
}

/** A few thousand of the ways a scenario's steps can fall between a snapshot's reads (every way is too many). */
async function interleavings(tree: () => Map<string, Buffer>, scenario: typeof steps): Promise<number[][]> {
  const total = fakeSession(tree(), scenario, scenario.map(() => Infinity));
  await readGroupSnapshot(total.zk, paths);
  const n = total.reads() + 1;
  const sample = fc.sample(fc.array(fc.integer({ min: 0, max: n }), { minLength: scenario.length, maxLength: scenario.length }), { numRuns: 3000, seed: 7 });
  return sample.map((w) => w.sort((a, b) => a - b));
}

describe('readGroupSnapshot', () => {
  it('never shows a lease without the assignment that gave it, nor an assignment without its poller', async () => {
    let checked = 0;
    for (const when of await interleavings(initialTree, steps)) {
      const s = await readGroupSnapshot(fakeSession(initialTree(), steps, when).zk, paths);
      const where = `steps before reads ${when.join(',')}`;
      const heldByW3 = s.assignment.filter((r) => r.owner === 'w3').length;
      if (heldByW3 > 0) expect(s.epoch, where).toBe(2);
      if (s.epoch === 2) expect(s.pollers.map((p) => p.id), where).toContain('w3');
      // Never a mix of epochs: each range assigned exactly as one epoch says.
      const assigned = s.assignment.map((r) => r.assigned).join(',');
      expect(assigned, where).toBe(s.epoch === 1 ? 'w1,w1,w2,w2' : 'w1,w3,w2,w3');
      expect(s.problems, where).toEqual([]);
      expect(s.converged, where).toBe(s.epoch === 1 ? heldByW3 === 0 && s.assignment.every((r) => r.owner !== null) : heldByW3 === 2);
      checked++;
    }
    expect(checked).toBe(3000);
  });

  it('never shows the ranges of a poller that left as unassigned, though the leader deletes its assignment node after the next epoch', async () => {
    let checked = 0;
    for (const when of await interleavings(joinedTree, leaveSteps)) {
      const s = await readGroupSnapshot(fakeSession(joinedTree(), leaveSteps, when).zk, paths);
      const where = `steps before reads ${when.join(',')}`;
      const assigned = s.assignment.map((r) => r.assigned).join(',');
      expect(assigned, where).toBe(s.epoch === 2 ? 'w1,w3,w2,w3' : 'w1,w1,w2,w2');
      expect(s.problems, where).toEqual([]);
      checked++;
    }
    expect(checked).toBe(3000);
  });
});
