import { describe, expect, it } from 'vitest';
import { WriteBatcher } from './write-batcher.js';
import { ZkError, ZK } from './zk-errors.js';
import type { Op, ZkSession } from './zk-session.js';

/** A session whose multi fails on any op naming a path in `bad` (like ZooKeeper: the index of the first failing op). */
function fakeZk(bad: Set<string>): { zk: ZkSession; sent: Op[][] } {
  const sent: Op[][] = [];
  const zk = {
    async multi(ops: Op[]) {
      sent.push(ops);
      const i = ops.findIndex((o) => bad.has(o.path));
      if (i >= 0) throw new ZkError(ZK.BAD_VERSION, 'bad version', ops[i]!.path, i);
      return [];
    },
  };
  return { zk: zk as unknown as ZkSession, sent };
}

const unit = (r: number): Op[] => [
  { op: 'check', path: `/l/${r}`, version: 0 },
  { op: 'setData', path: `/o/${r}`, data: Buffer.from(String(r)), version: -1 },
];

describe('WriteBatcher', () => {
  it('sends the units of one window as one multi', async () => {
    const { zk, sent } = fakeZk(new Set());
    const writes = new WriteBatcher(zk, 1);
    await Promise.all([0, 1, 2].map((r) => writes.submit(unit(r))));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toHaveLength(6);
  });

  it('fails only the unit whose op failed the multi, and lands the others', async () => {
    const { zk, sent } = fakeZk(new Set(['/l/1', '/l/3']));
    const writes = new WriteBatcher(zk, 1);
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((r) => writes.submit(unit(r))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: ZK.BAD_VERSION, path: '/l/1' });
    // The first try, again without unit 1, then without unit 3.
    expect(sent.map((ops) => ops.length)).toEqual([10, 8, 6]);
  });

  it('calls a unit\'s `sent` once its multi is handed to the session, before the reply, and again at each resend', async () => {
    const events: string[] = [];
    const bad = new Set(['/l/1']);
    const zk = {
      multi(ops: Op[]) {
        events.push(`multi ${ops.length / 2}`);
        const i = ops.findIndex((o) => bad.has(o.path));
        return Promise.resolve().then(() => {
          events.push('reply');
          if (i >= 0) throw new ZkError(ZK.BAD_VERSION, 'bad version', ops[i]!.path, i);
          return [];
        });
      },
    } as unknown as ZkSession;
    const writes = new WriteBatcher(zk, 1);
    await Promise.allSettled([
      writes.submit(unit(0), undefined, () => events.push('sent 0')),
      writes.submit(unit(1)),
      writes.submit(unit(2), undefined, () => events.push('sent 2')),
    ]);
    // Unit 1 fails the first multi; the other two are sent again, and say so again.
    expect(events).toEqual(['multi 3', 'sent 0', 'sent 2', 'reply', 'multi 2', 'sent 0', 'sent 2', 'reply']);
  });

  it('a failure that names no op (the connection) fails every unit of the multi', async () => {
    const zk = { multi: async () => { throw new ZkError(ZK.CONNECTION_LOSS, 'gone'); } } as unknown as ZkSession;
    const writes = new WriteBatcher(zk, 1);
    const results = await Promise.allSettled([0, 1].map((r) => writes.submit(unit(r))));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
  });

  it('keeps sessions apart: a unit bound to an older session never shares a newer one\'s multi', async () => {
    const sent: (number | undefined)[] = [];
    const zk = { multi: async (_ops: Op[], generation?: number) => { sent.push(generation); return []; } } as unknown as ZkSession;
    const writes = new WriteBatcher(zk, 1);
    await Promise.all([writes.submit(unit(0), 1), writes.submit(unit(1), 2), writes.submit(unit(2), 1)]);
    expect(sent).toEqual([1, 2, 1]);
  });

  it('lands a session\'s writes in the order they were made: a failed multi\'s resend goes before a unit submitted meanwhile', async () => {
    const landed: string[] = [];
    const zk = {
      async multi(ops: Op[]) {
        await new Promise((r) => setTimeout(r, 5)); // a round trip, during which more is submitted
        const i = ops.findIndex((o) => o.path === '/l/9');
        if (i >= 0) throw new ZkError(ZK.NO_NODE, 'gone', ops[i]!.path, i);
        landed.push(...ops.filter((o) => o.op === 'setData' || o.op === 'remove').map((o) => o.path));
        return [];
      },
    } as unknown as ZkSession;
    const writes = new WriteBatcher(zk);
    // A commit pass (range 9's lease is gone), then, while it is in flight, range 3's release.
    const pass = Promise.allSettled([writes.submit(unit(9)), writes.submit(unit(3))]);
    await new Promise((r) => setTimeout(r, 1));
    const release = writes.submit([{ op: 'remove', path: '/l/3', version: 0 }]);
    await Promise.all([pass, release]);
    expect(landed).toEqual(['/o/3', '/l/3']);
  });
});
