// A coordinator following a resize (docs/design.md "Growing a group"): the
// next epoch assigns every range of the new count and leaves the old ones
// with their owners, reading the nodes it wrote over the old count (bitmaps
// of the old length) as they are. Real ZooKeeper; members are bare ephemeral nodes.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { Coordinator, createGroupConfig, encode, GroupPaths, readAssignment } from '../coordinator/index.js';
import { Cleanups } from './support/cleanups.js';
import { randomName } from './support/env.js';
import { RingGroups } from './support/ring-groups.js';
import { waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const session = () => new RingGroups(cleanups, 'coord-resize').session();

/** Three bare members of a 32-range group, assigned by a coordinator `c1`; warnings of every coordinator go to `lines`. */
async function assignedGroup() {
  const admin = await session();
  const paths = new GroupPaths(randomName('coord-resize'));
  await createGroupConfig(admin, paths, { topic: 't', ranges: 32 });
  for (const id of ['m1', 'm2', 'm3']) {
    const zk = await session();
    await zk.create(paths.poller(id), encode({ id, host: 'test', pid: 1, weight: 1, state: 'active', startedAt: new Date().toISOString() }), 'ephemeral');
  }
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const coordinator = async (id: string) => {
    const c = new Coordinator({ zk: await session(), paths, id, settleMs: 100, logger });
    cleanups.add(() => c.close());
    await c.start();
    return c;
  };
  const assigned = async (ranges: number) => (await readAssignment(admin, paths, ranges)).record;
  const c1 = await coordinator('c1');
  await waitFor('32 ranges over 3 members', async () => (await assigned(32))?.owners.every((o) => o !== null) ?? false, { timeoutMs: 10_000 });
  // Scattered ranges: at least one member's node is a bitmap of 32 bits.
  const nodes = await Promise.all(['m1', 'm2', 'm3'].map(async (id) => String((await admin.getData(paths.memberAssignment(id))).data)));
  expect(nodes.some((d) => d.includes('b64:'))).toBe(true);
  const resize = () => admin.setData(paths.config, encode({ version: 1, topic: 't', ranges: 64, split: { from: 32, offsets: Array.from({ length: 32 }, () => '0') } }), -1);
  return { c1, coordinator, assigned, resize, lines, before: (await assigned(32))! };
}

describe('coordinator following a resize (real ZooKeeper)', () => {
  it('assigns the new ranges in the next epoch and keeps every old range with its owner', async () => {
    const g = await assignedGroup();
    await g.resize();
    await waitFor('64 ranges assigned', async () => (await g.assigned(64))?.owners.every((o) => o !== null) ?? false, { timeoutMs: 10_000 });
    const after = (await g.assigned(64))!;
    expect(after.epoch).toBe(g.before.epoch + 1);
    expect(after.owners.slice(0, 32)).toEqual(g.before.owners); // the new quotas (22/21/21) hold every old share (11/11/10)
    expect(g.lines.filter((l) => l.includes('malformed'))).toEqual([]);
  });

  it('a new leader after the cut-over reads the nodes written over 32 ranges as they are: nothing old moves', async () => {
    const g = await assignedGroup();
    await g.c1.close();
    await g.resize();
    await g.coordinator('c2');
    await waitFor('64 ranges assigned', async () => (await g.assigned(64))?.owners.every((o) => o !== null) ?? false, { timeoutMs: 10_000 });
    const after = (await g.assigned(64))!;
    expect(after.owners.slice(0, 32)).toEqual(g.before.owners);
    expect(after.reason).not.toBe('initial assignment');
    expect(g.lines.filter((l) => l.includes('malformed'))).toEqual([]);
  });
});
