// Garbage in znodes, `status --json` and `drain` against a real ZooKeeper,
// with in-process stand-in members and the CLI as a child process.
import { afterEach, describe, expect, it } from 'vitest';
import { encode, GroupPaths, readGroupSnapshot, ZkSession, type GroupSnapshot } from '../coordinator/index.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { StandinMember, Timeline } from './support/standin-worker.js';
import { Cleanups } from './support/cleanups.js';
import { runCli } from './support/node-process.js';
import { sleep, waitFor } from './support/wait-for.js';

const SESSION_MS = 4_000;
const RANGES = 9;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function groupWith(ids: string[]): Promise<{ group: string; admin: ZkSession; paths: GroupPaths; timeline: Timeline; members: StandinMember[] }> {
  const group = randomName('cli');
  const admin = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: SESSION_MS });
  await admin.start();
  cleanups.add(() => admin.close());
  const paths = new GroupPaths(group);
  // Through the CLI: the topic with R partitions (status reads its end offsets) and the config.
  const created = await runCli(['create', '--zk', zkConnect(), '--group', group, '--brokers', brokers().join(','), '--topic', `${group}-t`, '--ranges', String(RANGES)]);
  expect(created.code, created.stderr).toBe(0);
  const timeline = new Timeline();
  const members = await Promise.all(
    ids.map(async (id) => {
      const m = new StandinMember({ connect: zkConnect(), group, id, ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
      cleanups.add(() => m.close());
      return m.start();
    }),
  );
  await waitFor('converged', async () => {
    const s = await readGroupSnapshot(admin, paths);
    return s.converged && s.pollers.length === ids.length && s.pollers.every((p) => p.ranges.length > 0);
  });
  return { group, admin, paths, timeline, members };
}

async function statusJson(group: string): Promise<Record<string, unknown> & { problems: { path: string; error: string }[] }> {
  const r = await runCli(['status', '--zk', zkConnect(), '--group', group, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown> & { problems: { path: string; error: string }[] };
}

describe('coordinator CLI: status --json', () => {
  it('status --json has the shape of docs/design.md', async () => {
    const { group, paths, admin } = await groupWith(['p1', 'p2']);
    const s = await statusJson(group);
    expect(Object.keys(s).sort()).toEqual(['assignment', 'converged', 'epoch', 'group', 'leader', 'pollers', 'problems', 'producers', 'ranges', 'resize', 'split', 'topic'].sort());
    expect(s).toMatchObject({ group, topic: `${group}-t`, ranges: RANGES, epoch: 1, converged: true, producers: [], resize: null, split: null, problems: [] });
    expect(['p1', 'p2']).toContain(s.leader);
    const pollers = s.pollers as Record<string, unknown>[];
    expect(pollers.map((p) => p.id)).toEqual(['p1', 'p2']);
    for (const p of pollers) {
      expect(Object.keys(p).sort()).toEqual(['host', 'id', 'pid', 'ranges', 'state', 'weight']);
      expect(p).toMatchObject({ pid: process.pid, weight: 1, state: 'active' });
    }
    expect((pollers[0]!.ranges as number[]).length + (pollers[1]!.ranges as number[]).length).toBe(RANGES);
    const rows = s.assignment as Record<string, unknown>[];
    expect(rows).toHaveLength(RANGES);
    rows.forEach((row, i) => {
      // RINGLEADER_BROKERS is set for the tests, so end and lag are there too.
      expect(Object.keys(row).sort()).toEqual(['assigned', 'committed', 'committedAt', 'committedBy', 'end', 'lag', 'owner', 'ownerSince', 'range']);
      expect(row).toMatchObject({ range: i, end: '0', lag: 0 });
      expect(row.owner).toBe(row.assigned);
      expect(Number.isNaN(Date.parse(String(row.ownerSince)))).toBe(false);
    });
    // Committed offsets appear once the members commit.
    await waitFor('commits visible', async () => (await readGroupSnapshot(admin, paths)).assignment.every((r) => r.committed !== null));
    const later = await statusJson(group);
    for (const row of later.assignment as { committed: unknown; committedBy: unknown; owner: unknown; committedAt: unknown }[]) {
      expect(row.committed).toMatch(/^[0-9]+$/);
      expect(row.committedBy).toBe(row.owner);
      expect(Number.isNaN(Date.parse(String(row.committedAt)))).toBe(false);
    }
  });
});

describe('coordinator: garbage in znodes', () => {
  it('garbage in assignment and in a member node is reported by status, crashes nothing and moves nothing', async () => {
    const { group, admin, paths, timeline, members } = await groupWith(['g1', 'g2', 'g3']);
    const before = await readGroupSnapshot(admin, paths);
    const problemsSeen: string[] = [];
    for (const m of members) m.assigned.subscription.on('problem', (p: string) => problemsSeen.push(`${m.id}: ${p}`));

    // 1. Garbage in assignment.
    const t0 = Date.now();
    await admin.setData(paths.assignment, Buffer.from('{"epoch": "lots", oops'));
    await waitFor('every follower reported the garbage', () => members.every((m) => problemsSeen.some((p) => p.startsWith(`${m.id}:`))));
    const s1 = await statusJson(group);
    expect(s1.problems.map((p) => p.path)).toContain(paths.assignment);
    expect(s1.converged).toBe(false);
    // The leases are untouched: every range still has its holder.
    const owners1 = (s1.assignment as { owner: string | null }[]).map((r) => r.owner);
    expect(owners1).toEqual(before.assignment.map((r) => r.owner));

    // 2. Garbage in a member node (valid JSON, wrong shape).
    const victim = 'g2';
    await admin.setData(paths.poller(victim), encode({ id: victim, weight: 'heavy' }));
    await sleep(1_500); // more than the settle window: a leader that acted on it would have moved g2's ranges
    const s2 = await statusJson(group);
    expect(s2.problems.map((p) => p.path)).toEqual(expect.arrayContaining([paths.assignment, paths.poller(victim)]));
    expect((s2.assignment as { owner: string | null }[]).map((r) => r.owner)).toEqual(before.assignment.map((r) => r.owner));
    // Nobody stopped or lost anything; every process is alive and still holds its ranges.
    expect(timeline.after(t0)).toEqual([]);
    for (const m of members) expect(m.assigned.ownedRanges()).toEqual(before.pollers.find((p) => p.id === m.id)!.ranges);

    expect(s2.converged).toBe(false); // the assignment is still unreadable: nobody rewrote it
    expect(s2.epoch).toBeNull();

    // 3. The human status shows them too.
    const human = await runCli(['status', '--zk', zkConnect(), '--group', group]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`problem: ${paths.assignment}`);
    expect(human.stdout).toContain(`problem: ${paths.poller(victim)}`);

    // 4. A real change: the leader publishes a fresh assignment built on the
    // last valid one, and still counts g2 as the member it last saw.
    const tJoin = Date.now();
    const g4 = new StandinMember({ connect: zkConnect(), group, id: 'g4', ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
    cleanups.add(() => g4.close());
    await g4.start();
    const s4 = await waitFor('converged with g4', async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.some((p) => p.id === 'g4' && p.ranges.length > 0) && s;
    });
    expect(s4.problems.map((p) => p.path)).toEqual([paths.poller(victim)]);
    const moved = s4.assignment.filter((r) => before.assignment[r.range]!.owner !== r.owner);
    expect(moved.map((r) => r.owner)).toEqual(['g4', 'g4']); // floor(9/4) ranges, all to the newcomer
    expect(timeline.after(tJoin, ['lost'])).toEqual([]);
    expect(timeline.overlaps()).toEqual([]);
  });
});

describe('coordinator CLI: drain', () => {
  it('drain <id> marks the member draining and moves its ranges away, then it leaves', async () => {
    const { group, admin, paths, timeline } = await groupWith(['d1', 'd2', 'd3']);
    const before = await readGroupSnapshot(admin, paths);
    const drained = before.pollers.find((p) => p.id === 'd2')!.ranges;

    const t0 = Date.now();
    const drainCmd = runCli(['drain', '--zk', zkConnect(), '--group', group, 'd2', '--timeout', '20000']);
    // Seen as draining while its ranges move (polled fast: it takes well under a second).
    const states = new Set<string>();
    await waitFor('d2 gone', async () => {
      const s = await readGroupSnapshot(admin, paths);
      const p = s.pollers.find((x) => x.id === 'd2');
      states.add(p ? `${p.state}:${p.ranges.length}` : 'gone');
      return !p;
    }, { timeoutMs: 20_000, everyMs: 10 });
    const waited = await drainCmd;
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({ poller: 'd2', drained: true });
    expect([...states].some((x) => x.startsWith('draining'))).toBe(true);
    // Draining again once it has left is a clear error, not a hang.
    const again = await runCli(['drain', '--zk', zkConnect(), '--group', group, 'd2']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('not a member');
    const after = (await waitFor('converged without d2', async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.every((p) => p.id !== 'd2') && s;
    })) as GroupSnapshot;
    console.log(`[measure] drain d2 -> its ${drained.length} ranges moved and it left: ${Date.now() - t0} ms`);
    expect(after.pollers.map((p) => p.id)).toEqual(['d1', 'd3']);
    // Only d2's ranges moved, each stopped (gracefully, not lost) before its new holder started.
    const moved = after.assignment.filter((r) => before.assignment[r.range]!.owner !== r.owner).map((r) => r.range);
    expect(moved).toEqual(drained);
    expect(timeline.after(t0, ['lost'])).toEqual([]);
    expect(timeline.overlaps()).toEqual([]);
    for (const r of drained) {
      const stop = timeline.events.find((e) => e.range === r && e.member === 'd2' && e.kind === 'stop')!;
      const start = timeline.events.find((e) => e.range === r && e.member !== 'd2' && e.kind === 'start' && e.at >= t0)!;
      expect(stop.at).toBeLessThanOrEqual(start.at);
    }
  });
});
