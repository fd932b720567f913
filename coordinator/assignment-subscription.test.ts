// AssignmentSubscription over a fake session: a rebalance that leaves this
// poller's node alone costs it the header and a Stat, never the node's data;
// a node staged past the header is not acted on before the header commits it.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AssignmentSubscription } from './assignment-subscription.js';
import { GroupPaths } from './group-paths.js';
import { encode, encodeMemberAssignment, type MemberAssignmentNode } from './znodes.js';
import type { ZkSession } from './zk-session.js';

const paths = new GroupPaths('g');
const RANGES = 8;

class FakeZk extends EventEmitter {
  readonly tree = new Map<string, { data: Buffer; mzxid: number }>();
  readonly reads: string[] = [];
  private zxid = 0;
  private headerWatch: (() => void) | null = null;

  write(path: string, data: Buffer): void {
    this.tree.set(path, { data, mzxid: ++this.zxid });
    if (path === paths.assignment) {
      const w = this.headerWatch;
      this.headerWatch = null;
      w?.();
    }
  }

  async getDataOrNull(path: string, watch?: () => void) {
    this.reads.push(`data ${path}`);
    if (watch && path === paths.assignment) this.headerWatch = watch;
    const n = this.tree.get(path);
    return n ? { data: n.data, stat: this.stat(n.mzxid) } : null;
  }

  async exists(path: string) {
    this.reads.push(`stat ${path}`);
    const n = this.tree.get(path);
    return n ? this.stat(n.mzxid) : null;
  }

  private stat(mzxid: number) {
    const z = Buffer.alloc(8);
    z.writeUInt32BE(mzxid, 4);
    return { mzxid: z, version: 0 };
  }
}

const header = (epoch: number) => encode({ epoch, leader: 'l', at: '', reason: '' });
const node = (n: MemberAssignmentNode) => encodeMemberAssignment(n, RANGES);
const settle = () => new Promise((r) => setTimeout(r, 10));

/** p1 given ranges 0 and 1 at epoch 1, and its subscription started on `zk`. */
async function subscribed(zk: FakeZk): Promise<AssignmentSubscription> {
  zk.write(paths.memberAssignment('p1'), node({ epoch: 1, ranges: [0, 1], prev: { epoch: 0, ranges: [] } }));
  zk.write(paths.assignment, header(1));
  const sub = new AssignmentSubscription(zk as unknown as ZkSession, paths, RANGES, 'p1');
  await sub.start();
  return sub;
}

describe('AssignmentSubscription', () => {
  it('reads its node only when it was written, and acts on a staged node only once the header commits it', async () => {
    const zk = new FakeZk();
    const sub = await subscribed(zk);
    expect([...sub.current!.ranges]).toEqual([0, 1]);

    // Epoch 2 moves nothing of p1's: the header and a Stat, not the node's data.
    zk.reads.length = 0;
    zk.write(paths.assignment, header(2));
    await settle();
    expect(sub.current!.epoch).toBe(2);
    expect(zk.reads).toEqual([`data ${paths.assignment}`, `stat ${paths.memberAssignment('p1')}`]);

    // Epoch 3 is staged (p1 loses range 1) while the header still says 2: not acted on.
    zk.write(paths.memberAssignment('p1'), node({ epoch: 3, ranges: [0], prev: { epoch: 1, ranges: [0, 1] } }));
    zk.write(paths.assignment, header(2)); // any header read meanwhile (a rewrite with the same epoch)
    await settle();
    expect([...sub.current!.ranges]).toEqual([0, 1]);

    zk.write(paths.assignment, header(3));
    await settle();
    expect(sub.current!.epoch).toBe(3);
    expect([...sub.current!.ranges]).toEqual([0]);
    sub.close();
  });

  it('asks for the header and its node\'s Stat at once: an epoch that leaves its node alone costs one round trip', async () => {
    // Each answer arrives a macrotask after its request; note what was asked before any answer came.
    class SlowZk extends FakeZk {
      askedBeforeAnAnswer: string[] | null = null;
      private asked: string[] = [];
      private async answer<T>(what: string, value: () => Promise<T>): Promise<T> {
        this.asked.push(what);
        await new Promise((r) => setImmediate(r));
        this.askedBeforeAnAnswer ??= [...this.asked];
        return value();
      }
      override getDataOrNull(path: string, watch?: () => void) {
        return this.answer(`data ${path}`, () => super.getDataOrNull(path, watch));
      }
      override exists(path: string) {
        return this.answer(`stat ${path}`, () => super.exists(path));
      }
    }
    const zk = new SlowZk();
    const sub = await subscribed(zk);
    expect([...sub.current!.ranges]).toEqual([0, 1]);
    expect(zk.askedBeforeAnAnswer).toEqual([`data ${paths.assignment}`, `stat ${paths.memberAssignment('p1')}`]);
    sub.close();
  });

  it('an assignment over more ranges than it runs with (a resize it has not grown to yet) is no problem: it keeps its view until grew()', async () => {
    const zk = new FakeZk();
    zk.write(paths.memberAssignment('p1'), node({ epoch: 1, ranges: [0, 1], prev: { epoch: 0, ranges: [] } }));
    zk.write(paths.assignment, header(1));
    const sub = new AssignmentSubscription(zk as unknown as ZkSession, paths, RANGES, 'p1');
    const problems: string[] = [];
    sub.on('problem', (p: string) => problems.push(p));
    await sub.start();

    zk.write(paths.memberAssignment('p1'), encodeMemberAssignment({ epoch: 2, ranges: [0, 1, 12], prev: { epoch: 1, ranges: [0, 1] } }, 2 * RANGES));
    zk.write(paths.assignment, header(2));
    await settle();
    expect(problems).toEqual([]);
    expect(sub.current!.epoch).toBe(1);

    sub.grew(2 * RANGES);
    await settle();
    expect(sub.current!.epoch).toBe(2);
    expect([...sub.current!.ranges]).toEqual([0, 1, 12]);
    sub.close();
  });
});
