// A poller's part in a resize (poller/resize-hold.ts) against a real
// ZooKeeper: the hold while the marker is up, the rollback, and a new session
// that must not let a message start before marker and config were read again.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createGroupConfig, encode, GroupPaths, Membership, parseMember, type GroupConfig } from '../coordinator/index.js';
import { FencingGate } from '../poller/fencing-gate.js';
import { PAUSED_REPORT_CLEARED_AFTER_MS, ResizeHold } from '../poller/resize-hold.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { randomName, zkConnect } from './support/env.js';
import { expireSession } from './support/expire-session.js';
import { sleep, waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const session = () => new RingGroups(cleanups, 'hold').session();

async function held(o: { failWrites?: number; failClears?: number; lines?: boolean } = {}) {
  const admin = await session();
  const paths = new GroupPaths(randomName('hold'));
  await createGroupConfig(admin, paths, { topic: 't', ranges: 2 });
  const zk = await session();
  const membership = new Membership(zk, paths, { id: 'p1', host: 'h', pid: 1, weight: 1, state: 'active', startedAt: 'now' });
  await membership.register();
  cleanups.add(() => membership.deregister());
  const gate = new FencingGate(() => zk.withinDeadline());
  const resized: GroupConfig[] = [];
  // A member node write that fails (a connection lost under it) the first `failWrites` times.
  let failures = o.failWrites ?? 0;
  let clearFailures = o.failClears ?? 0;
  // With `lines`: what the hold did with its lines and its member node, in order.
  const lineEvents: string[] = [];
  const flaky = {
    setPausedFor: async (id: string | null) => {
      if (failures-- > 0) throw new Error('CONNECTION_LOSS');
      if (id === null && clearFailures-- > 0) throw new Error('CONNECTION_LOSS');
      await membership.setPausedFor(id);
      if (o.lines) lineEvents.push(`pausedFor ${id}`);
    },
  } as unknown as Membership;
  const holds: string[] = [];
  const lineOptions = o.lines
    ? { setLines: (lines: readonly number[] | null) => void lineEvents.push(lines ? `lines ${lines.join(',')}` : `dropped (gate ${gate.held ? 'held' : 'open'})`) }
    : {};
  const hold = new ResizeHold({
    ...lineOptions,
    zk,
    paths,
    gate,
    membership: flaky,
    ranges: 2,
    onResized: (c) => {
      lineEvents.push('resized');
      resized.push(c);
    },
    onHold: () => holds.push(gate.held ? 'held' : 'open'),
    log: pino({ level: 'silent' }),
  });
  await hold.start();
  cleanups.add(() => hold.close());
  const pausedFor = async () => {
    const m = parseMember((await admin.getData(paths.poller('p1'))).data, 'p1');
    return m.ok ? m.value.pausedFor : 'malformed';
  };
  /** Writes resize `id`'s marker and waits until the member node says it paused for it. */
  const markerUp = async (id: string) => {
    await admin.create(paths.resize, encode({ id, from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now' }), 'ephemeral');
    await waitFor(`pausedFor ${id}`, async () => (await pausedFor()) === id, { timeoutMs: 5_000 });
  };
  return { admin, zk, paths, gate, hold, resized, holds, pausedFor, markerUp, lineEvents };
}

describe('ResizeHold (real ZooKeeper)', () => {
  it('holds while the marker is up and says so in the member node; a rollback opens the gate again', async () => {
    const { admin, paths, gate, resized, pausedFor } = await held();
    expect(gate.canStart()).toBe(true);
    await admin.create(paths.resize, encode({ id: 'r1', from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now' }), 'ephemeral');
    await waitFor('pausedFor r1', async () => (await pausedFor()) === 'r1', { timeoutMs: 5_000 });
    expect(gate.canStart()).toBe(false);
    await admin.remove(paths.resize, -1);
    await waitFor('pausedFor cleared', async () => (await pausedFor()) === undefined, { timeoutMs: 5_000 });
    expect(gate.canStart()).toBe(true);
    expect(resized).toEqual([]);
  });

  it('says pausedFor a while after the marker went (the write stays out of the way of the new ranges), then clears it', async () => {
    const { admin, paths, gate, pausedFor, markerUp } = await held();
    await markerUp('r1');
    await admin.remove(paths.resize, -1);
    await waitFor('the gate open again', () => gate.canStart(), { timeoutMs: 5_000 });
    const opened = Date.now();
    expect(await pausedFor()).toBe('r1');
    await waitFor('pausedFor cleared', async () => (await pausedFor()) === undefined, { timeoutMs: 5_000 });
    expect(Date.now() - opened).toBeGreaterThanOrEqual(PAUSED_REPORT_CLEARED_AFTER_MS - 100);
  });

  it('a resize begun before the last one was cleared keeps its own pausedFor until it ends', async () => {
    const { admin, paths, pausedFor, markerUp } = await held();
    await markerUp('r1');
    await admin.remove(paths.resize, -1);
    await sleep(100);
    await markerUp('r2');
    await sleep(PAUSED_REPORT_CLEARED_AFTER_MS + 500);
    expect(await pausedFor()).toBe('r2');
    await admin.remove(paths.resize, -1);
    await waitFor('pausedFor cleared after r2', async () => (await pausedFor()) === undefined, { timeoutMs: 5_000 });
  });

  it('a resize begun and ended while the last one waited to be cleared is cleared too', async () => {
    const { admin, paths, pausedFor, markerUp } = await held();
    await markerUp('r1');
    await admin.remove(paths.resize, -1);
    const r1Went = Date.now();
    await markerUp('r2');
    await admin.remove(paths.resize, -1);
    // Both within the second r1's clearing waits for, or the test says nothing.
    expect(Date.now() - r1Went).toBeLessThan(PAUSED_REPORT_CLEARED_AFTER_MS);
    await waitFor('pausedFor cleared after r2', async () => (await pausedFor()) === undefined, { timeoutMs: 5_000 });
  });

  it('clears pausedFor again when the clearing write fails', async () => {
    const { admin, paths, pausedFor, markerUp } = await held({ failClears: 2 });
    await markerUp('r1');
    await admin.remove(paths.resize, -1);
    await waitFor('pausedFor cleared after two failed writes', async () => (await pausedFor()) === undefined, { timeoutMs: 3 * PAUSED_REPORT_CLEARED_AFTER_MS + 3_000 });
  });

  it('a cut-over committed while our session was gone: the gate is held from the new session on, and the poller is told of the new range count', async () => {
    const { admin, zk, paths, gate, resized } = await held();
    const config = { version: 1 as const, topic: 't', ranges: 4, split: { from: 2, offsets: ['0', '0'] } };
    zk.once('state', () => void admin.setData(paths.config, encode(config), -1));
    await expireSession(zk, zkConnect());
    await waitFor('the new session', () => zk.connected, { timeoutMs: 10_000 });
    await waitFor('told of the new range count', () => resized.length === 1, { timeoutMs: 5_000 });
    expect(resized[0]!.ranges).toBe(4);
    expect(gate.canStart()).toBe(false);
  });

  it('a new session with nothing changed holds only until marker and config were read again', async () => {
    const { zk, gate, resized, hold } = await held();
    let heldOnNewSession = false;
    zk.on('state', (s) => {
      if (s.type === 'session' && !s.first) heldOnNewSession = gate.held;
    });
    await expireSession(zk, zkConnect());
    await waitFor('the new session', () => zk.connected, { timeoutMs: 10_000 });
    expect(heldOnNewSession).toBe(true);
    await waitFor('the gate open again', () => !gate.held && !hold.holding, { timeoutMs: 5_000 });
    expect(resized).toEqual([]);
  });

  /** The cut-over's multi for marker `id` (2 -> 4 ranges), once the hold said it paused for it. */
  async function commitResize(h: Awaited<ReturnType<typeof held>>, id: string): Promise<void> {
    await h.admin.create(h.paths.resize, encode({ id, from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now' }), 'ephemeral');
    await waitFor(`pausedFor ${id}`, async () => (await h.pausedFor()) === id, { timeoutMs: 5_000 });
    const config = { version: 1 as const, topic: 't', ranges: 4, split: { from: 2, offsets: ['0', '0'] } };
    await h.admin.multi([
      { op: 'setData', path: h.paths.config, data: encode(config), version: -1 },
      { op: 'remove', path: h.paths.resize, version: -1 },
    ]);
    await waitFor('told of the new range count', () => h.resized.length === 1, { timeoutMs: 5_000 });
  }

  it('grown to the count the held-for cut-over wrote, opens at once; a resize over the new count holds again', async () => {
    const h = await held();
    await commitResize(h, 'r4');
    expect(h.gate.canStart()).toBe(false);
    h.hold.grew(4);
    expect(h.gate.canStart()).toBe(true); // no read in between: that marker was over 2 ranges and is gone
    await h.admin.create(h.paths.resize, encode({ id: 'r5', from: 4, to: 8, host: 'h', pid: 1, startedAt: 'now' }), 'ephemeral');
    await waitFor('pausedFor r5', async () => (await h.pausedFor()) === 'r5', { timeoutMs: 5_000 });
    expect(h.gate.canStart()).toBe(false);
  });

  it('grown after a new session, reads marker and config again before it opens', async () => {
    const h = await held();
    await commitResize(h, 'r6');
    await expireSession(h.zk, zkConnect());
    await waitFor('the new session', () => h.zk.connected, { timeoutMs: 10_000 });
    h.hold.grew(4);
    expect(h.gate.canStart()).toBe(false); // a cut-over over 4 ranges may not have waited for our new node
    await waitFor('the gate open after the reads', () => h.gate.canStart() && !h.hold.holding, { timeoutMs: 5_000 });
  });

  it('writes pausedFor again when the first write fails, holding meanwhile', async () => {
    const { admin, paths, gate, holds, pausedFor } = await held({ failWrites: 2 });
    await admin.create(paths.resize, encode({ id: 'r3', from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now' }), 'ephemeral');
    await waitFor('pausedFor r3 after the failed writes', async () => (await pausedFor()) === 'r3', { timeoutMs: 5_000 });
    expect(gate.canStart()).toBe(false);
    expect(holds).toEqual(['held']); // the source is asked to learn the new partitions once per resize, with the gate held
  });

  const marker = (id: string, ends?: string[]) => encode({ id, from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now', ...(ends ? { ends } : {}) });

  it('with hold lines: says it paused at once with every message held; the marker\'s ends let the messages below them go', async () => {
    const h = await held({ lines: true });
    await h.admin.create(h.paths.resize, marker('r7'), 'ephemeral');
    await waitFor('pausedFor r7', async () => (await h.pausedFor()) === 'r7', { timeoutMs: 5_000 });
    expect(h.gate.canStart()).toBe(false);
    expect(h.lineEvents).toEqual(['pausedFor r7']);
    await h.admin.setData(h.paths.resize, marker('r7', ['7', '9']), -1);
    await waitFor('the lines taken', () => h.lineEvents.length === 2, { timeoutMs: 5_000 });
    expect(h.lineEvents).toEqual(['pausedFor r7', 'lines 7,9']);
    expect(h.gate.canStart()).toBe(true);
    expect(h.hold.holding).toBe(true);
    expect(h.holds).toEqual(['held']); // the source learns the new partitions once, as soon as the marker is seen
    await h.admin.remove(h.paths.resize, -1);
    await waitFor('pausedFor cleared', async () => (await h.pausedFor()) === undefined, { timeoutMs: 5_000 });
    expect(h.lineEvents.slice(2)).toEqual(['dropped (gate open)', 'pausedFor null']);
    expect(h.hold.holding).toBe(false);
  });

  it('with hold lines, after a new session: the marker\'s ends still let the messages below them go (they are the split points)', async () => {
    const h = await held({ lines: true });
    await h.admin.create(h.paths.resize, marker('r8'), 'ephemeral');
    await waitFor('pausedFor r8', async () => (await h.pausedFor()) === 'r8', { timeoutMs: 5_000 });
    await expireSession(h.zk, zkConnect());
    await waitFor('the new session', () => h.zk.connected, { timeoutMs: 10_000 });
    await sleep(200);
    expect(h.gate.canStart()).toBe(false);
    await h.admin.setData(h.paths.resize, marker('r8', ['3', '4']), -1);
    await waitFor('the lines taken', () => h.lineEvents.includes('lines 3,4'), { timeoutMs: 5_000 });
    expect(h.gate.canStart()).toBe(true);
  });

  it('with hold lines: a resize over another count than ours (we missed one) lets nothing go', async () => {
    const h = await held({ lines: true });
    await h.admin.create(h.paths.resize, encode({ id: 'r10', from: 4, to: 8, host: 'h', pid: 1, startedAt: 'now', ends: ['1', '2', '3', '4'] }), 'ephemeral');
    await waitFor('pausedFor r10', async () => (await h.pausedFor()) === 'r10', { timeoutMs: 5_000 });
    await sleep(200);
    expect(h.lineEvents).toEqual(['pausedFor r10']);
    expect(h.gate.canStart()).toBe(false);
  });

  it('a cut-over committed while lines stand: they go with the gate held, before the poller is told of the new range count', async () => {
    const h = await held({ lines: true });
    await h.admin.create(h.paths.resize, marker('r9', ['7', '9']), 'ephemeral');
    await waitFor('pausedFor r9', async () => (await h.pausedFor()) === 'r9', { timeoutMs: 5_000 });
    const config = { version: 1 as const, topic: 't', ranges: 4, split: { from: 2, offsets: ['7', '9'] } };
    await h.admin.multi([
      { op: 'setData', path: h.paths.config, data: encode(config), version: -1 },
      { op: 'remove', path: h.paths.resize, version: -1 },
    ]);
    await waitFor('told of the new range count', () => h.resized.length === 1, { timeoutMs: 5_000 });
    expect(h.lineEvents).toEqual(['lines 7,9', 'pausedFor r9', 'dropped (gate held)', 'resized']);
    expect(h.gate.canStart()).toBe(false);
  });
});
