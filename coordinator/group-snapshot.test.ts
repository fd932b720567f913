// readGroupSnapshot reads several znodes one after another while the group
// moves on. A fake session answers each read from the state of the moment it
// is sent, like ZooKeeper answers one session's reads in order, and a join
// (member node, then assignment, then lease moves) is applied at every
// possible point between the reads: no snapshot may show an effect without
// its cause.
import { describe, expect, it } from 'vitest';
import { GroupPaths } from './group-paths.js';
import { readGroupSnapshot } from './group-snapshot.js';
import { encode } from './znodes.js';
import type { ZkSession } from './zk-session.js';

const paths = new GroupPaths('g');
const RANGES = 4;
const at = new Date(0).toISOString();

function initialTree(): Map<string, Buffer> {
  const t = new Map<string, Buffer>();
  t.set(paths.config, encode({ version: 1, topic: 't', ranges: RANGES }));
  for (const id of ['w1', 'w2']) t.set(paths.poller(id), encode({ id, host: 'h', pid: 1, weight: 1, state: 'active', startedAt: at }));
  t.set(`${paths.leader}/n_0000000001`, encode({ id: 'c1' }));
  t.set(paths.assignment, encode({ epoch: 1, leader: 'c1', at, owners: ['w1', 'w1', 'w2', 'w2'], reason: 'start' }));
  ['w1', 'w1', 'w2', 'w2'].forEach((p, r) => {
    t.set(paths.lease(r), encode({ poller: p, epoch: 1, at }));
    t.set(paths.offset(r), encode({ offset: '0', poller: p, epoch: 1, at }));
  });
  return t;
}

/** w3 joins; the leader gives it ranges 1 and 3; w1 and w2 release them and w3 takes them. */
const steps: ((t: Map<string, Buffer>) => void)[] = [
  (t) => t.set(paths.poller('w3'), encode({ id: 'w3', host: 'h', pid: 3, weight: 1, state: 'active', startedAt: at })),
  (t) => t.set(paths.assignment, encode({ epoch: 2, leader: 'c1', at, owners: ['w1', 'w3', 'w2', 'w3'], reason: 'joined: w3' })),
  (t) => {
    t.delete(paths.lease(1));
    t.delete(paths.lease(3));
  },
  (t) => {
    t.set(paths.lease(1), encode({ poller: 'w3', epoch: 2, at }));
    t.set(paths.lease(3), encode({ poller: 'w3', epoch: 2, at }));
  },
];

/** A session whose tree takes step i just before read number when[i] is answered. */
function fakeSession(when: number[]): { zk: ZkSession; reads: () => number } {
  const tree = initialTree();
  let reads = 0;
  let next = 0;
  const advance = () => {
    while (next < steps.length && when[next]! <= reads) steps[next++]!(tree);
    reads++;
  };
  const zk = {
    async getDataOrNull(path: string) {
      advance();
      const data = tree.get(path);
      return data ? { data, stat: { version: 0 } } : null;
    },
    async getChildren(path: string) {
      advance();
      const prefix = `${path}/`;
      return [...tree.keys()].filter((k) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/')).map((k) => k.slice(prefix.length));
    },
  };
  return { zk: zk as unknown as ZkSession, reads: () => reads };
}

describe('readGroupSnapshot', () => {
  it('never shows a lease without the assignment that gave it, nor an assignment without its poller', async () => {
    const total = fakeSession([Infinity, Infinity, Infinity, Infinity]);
    await readGroupSnapshot(total.zk, paths);
    const n = total.reads() + 1;
    let checked = 0;
    for (let a = 0; a <= n; a++) {
      for (let b = a; b <= n; b++) {
        for (let c = b; c <= n; c++) {
          for (let d = c; d <= n; d++) {
            const s = await readGroupSnapshot(fakeSession([a, b, c, d]).zk, paths);
            const where = `steps before reads ${[a, b, c, d].join(',')}`;
            const heldByW3 = s.assignment.filter((r) => r.owner === 'w3').length;
            if (heldByW3 > 0) expect(s.epoch, where).toBe(2);
            if (s.epoch === 2) expect(s.pollers.map((p) => p.id), where).toContain('w3');
            expect(s.converged, where).toBe(s.epoch === 1 ? heldByW3 === 0 && s.assignment.every((r) => r.owner !== null) : heldByW3 === 2);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
