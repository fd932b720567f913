// `ringleader watch` against a real ZooKeeper: NDJSON events of a join/leave
// scenario in order, and the live view for people inside tmux.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupPaths, readGroupSnapshot, ZkSession } from '../coordinator/index.js';
import { infraHome } from '../infra/index.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { StandinMember, Timeline } from './support/standin-worker.js';
import { Cleanups } from './support/cleanups.js';
import { runCli, startCli, type JsonLine } from './support/node-process.js';
import { CLI_JS } from './support/paths.js';
import { sleep, waitFor } from './support/wait-for.js';

const exec = promisify(execFile);
const SESSION_MS = 4_000;
const RANGES = 9;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function groupWith(ids: string[]) {
  const group = randomName('watch');
  const created = await runCli(['create', '--zk', zkConnect(), '--group', group, '--brokers', brokers().join(','), '--topic', `${group}-t`, '--ranges', String(RANGES)]);
  expect(created.code, created.stderr).toBe(0);
  const admin = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: SESSION_MS });
  await admin.start();
  cleanups.add(() => admin.close());
  const paths = new GroupPaths(group);
  const timeline = new Timeline();
  const member = async (id: string) => {
    const m = new StandinMember({ connect: zkConnect(), group, id, ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
    cleanups.add(() => m.close());
    return m.start();
  };
  const members = await Promise.all(ids.map(member));
  const converged = (n: number) => async () => {
    const s = await readGroupSnapshot(admin, paths);
    return s.converged && s.pollers.length === n && s;
  };
  await waitFor('converged', converged(ids.length));
  return { group, admin, paths, timeline, members, member, converged };
}

const idx = (lines: JsonLine[], pred: (l: JsonLine) => boolean): number => lines.findIndex(pred);

describe('ringleader watch --json', () => {
  it('--json prints the events of a join and a leave in order: joined, assignment, released, acquired, converged', async () => {
    const { group, member, converged } = await groupWith(['w1', 'w2']);
    const watch = startCli(['watch', '--zk', zkConnect(), '--group', group, '--json', '--refresh', '100', '--duration', '60000']);
    cleanups.add(() => watch.kill());
    await watch.waitLine((l) => l.type === 'converged', 20_000, 'initial converged');
    const start = watch.lines.length;

    // Join.
    const w3 = await member('w3');
    await waitFor('converged with w3', converged(3));
    const joinConverged = await watch.waitLine((l) => l.type === 'converged' && l.epoch === 2, 20_000, 'converged epoch 2');
    // Leave (graceful: releases its leases, then deletes its member node).
    await w3.close();
    await waitFor('converged without w3', converged(2));
    await watch.waitLine((l) => l.type === 'converged' && l.epoch === 3, 20_000, 'converged epoch 3');
    watch.signal('SIGTERM');
    expect((await watch.exited).code).toBe(0);

    const lines = watch.lines.slice(start);
    console.log(`[watch --json] ${lines.length} events:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
    for (const l of watch.lines) {
      expect(typeof l.type).toBe('string');
      expect(Number.isNaN(Date.parse(String(l.at)))).toBe(false);
    }
    // The join, in order.
    const joined = idx(lines, (l) => l.type === 'joined' && l.poller === 'w3');
    const assignment = idx(lines, (l) => l.type === 'assignment' && l.epoch === 2);
    const convergedAt = lines.indexOf(joinConverged);
    expect(joined).toBeGreaterThanOrEqual(0);
    expect(joined).toBeLessThan(assignment);
    const moves = lines[assignment]!.moves as { range: number; from: string; to: string }[];
    expect(moves).toHaveLength(3);
    for (const mv of moves) {
      expect(mv.to).toBe('w3');
      const released = idx(lines, (l) => l.type === 'released' && l.range === mv.range && l.poller === mv.from);
      const acquired = idx(lines, (l) => l.type === 'acquired' && l.range === mv.range && l.poller === 'w3');
      expect(released, `range ${mv.range} released`).toBeGreaterThan(assignment);
      expect(acquired, `range ${mv.range} acquired`).toBeGreaterThanOrEqual(released);
      expect(acquired).toBeLessThan(convergedAt);
      expect(typeof lines[acquired]!.pausedMs).toBe('number');
    }
    expect(typeof joinConverged.ms).toBe('number');
    // The leave: w3's ranges released and acquired by the others, it left, a new epoch, converged last.
    const after = lines.slice(convergedAt + 1);
    const left = idx(after, (l) => l.type === 'left' && l.poller === 'w3');
    const assignment3 = idx(after, (l) => l.type === 'assignment' && l.epoch === 3);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(assignment3).toBeGreaterThanOrEqual(0);
    const moves3 = after[assignment3]!.moves as { range: number; from: string; to: string }[];
    expect(moves3.map((m) => m.from)).toEqual(['w3', 'w3', 'w3']);
    for (const mv of moves3) {
      expect(idx(after, (l) => l.type === 'released' && l.range === mv.range && l.poller === 'w3')).toBeGreaterThanOrEqual(0);
      expect(idx(after, (l) => l.type === 'acquired' && l.range === mv.range && l.poller === mv.to)).toBeGreaterThan(assignment3);
    }
    expect(after[after.length - 1]).toMatchObject({ type: 'converged', epoch: 3 });
  });

  it('after a kill -9, the acquisitions count the unserved time from the dead poller\'s last commit', async () => {
    const group = randomName('watch-kill');
    const topic = `${group}-t`;
    const brokerList = brokers().join(',');
    const created = await runCli(['create', '--zk', zkConnect(), '--group', group, '--brokers', brokerList, '--topic', topic, '--ranges', '4']);
    expect(created.code, created.stderr).toBe(0);
    const poller = (id: string) => {
      const p = startCli(['poller', '--zk', zkConnect(), '--brokers', brokerList, '--group', group, '--topic', topic, '--id', id, '--session-timeout', String(SESSION_MS)]);
      cleanups.add(() => p.kill());
      return p;
    };
    const p1 = poller('p1');
    poller('p2');
    const admin = new ZkSession({ connect: zkConnect() });
    await admin.start();
    cleanups.add(() => admin.close());
    const paths = new GroupPaths(group);
    // Both pollers own their ranges before anything is produced: a range that
    // moved to p2 after p1 had handled all of it would stay committed by p1.
    await waitFor('both pollers own ranges', async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.length === 2 && s.pollers.every((p) => p.ranges.length > 0);
    }, { timeoutMs: 60_000 });
    const produced = await runCli(['produce', '--brokers', brokerList, '--topic', topic, '--count', '200', '--keys', '40']);
    expect(produced.code, produced.stderr).toBe(0);
    // Both pollers own ranges and have committed every message of their ranges.
    const before = await waitFor('every range committed by its owner', async () => {
      const s = await readGroupSnapshot(admin, paths);
      const total = s.assignment.reduce((n, r) => n + Number(r.committed ?? 0), 0);
      const byOwner = s.assignment.every((r) => r.owner !== null && r.committedBy === r.owner);
      return s.converged && s.pollers.length === 2 && total === 200 && byOwner && s;
    }, { timeoutMs: 60_000 });
    const p1Ranges = before.assignment.filter((r) => r.owner === 'p1').map((r) => r.range);
    expect(p1Ranges.length).toBeGreaterThan(0);

    const watch = startCli(['watch', '--zk', zkConnect(), '--group', group, '--json', '--refresh', '100', '--duration', '60000']);
    cleanups.add(() => watch.kill());
    await watch.waitLine((l) => l.type === 'converged', 20_000, 'initial converged');
    const start = watch.lines.length;
    p1.signal('SIGKILL');
    for (const range of p1Ranges) await watch.waitLine((l) => l.type === 'acquired' && l.range === range && l.poller === 'p2', 30_000, `range ${range} acquired by p2`);
    const acquired = watch.lines.slice(start).filter((l) => l.type === 'acquired');
    console.log(`[watch --json] after kill -9:\n${acquired.map((l) => JSON.stringify(l)).join('\n')}`);
    for (const l of acquired) {
      expect(l).toMatchObject({ from: 'p1', since: 'last-commit' });
      // The range went unserved from p1's last commit until its session expired and p2 took it;
      // watch itself saw only the short gap between the lease's deletion and p2's.
      expect(l.unservedMs as number).toBeGreaterThanOrEqual(SESSION_MS - 1_000);
      expect(l.pausedMs as number).toBeLessThan(l.unservedMs as number);
    }
  }, 120_000);
});

describe('ringleader watch live view', () => {
  it('the live view in a terminal (tmux) shows the ring and the pollers and updates on a join', async () => {
    const { group, member, converged } = await groupWith(['v1', 'v2']);
    const socket = randomName('rl-tmux');
    const session = 'watch';
    const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args]);
    cleanups.add(() => tmux('kill-server'));
    await tmux(
      'new-session', '-d', '-s', session, '-x', '120', '-y', '40',
      `${process.execPath} ${CLI_JS} watch --zk ${zkConnect()} --group ${group} --brokers ${brokers().join(',')} --refresh 200`,
    );
    const capture = async () => (await tmux('capture-pane', '-p', '-t', session)).stdout;
    const first = await waitFor('the view shows both pollers', async () => {
      const c = await capture();
      return c.split('\n')[1]!.startsWith('converged') && c.includes(' v1 ') && c.includes(' v2 ') && c;
    }, { timeoutMs: 20_000, everyMs: 200 });
    expect(first).toContain(`ringleader watch  group ${group}`);
    expect(first).toContain(`${RANGES} ranges  epoch 1`);
    // The ring: one symbol per range, A for the first poller, B for the second.
    const ringLine = first.split('\n').find((l) => /^\s+0 [A-Z~_.]+\s*$/.test(l));
    expect(ringLine, first).toBeDefined();
    const ring = ringLine!.trim().split(/\s+/)[1]!;
    expect(ring).toHaveLength(RANGES);
    expect(new Set(ring)).toEqual(new Set(['A', 'B']));
    expect(first).toMatch(/A v1\s+active\s+1\s+\d/);

    await member('v3');
    await waitFor('converged with v3', converged(3));
    const second = await waitFor('the view shows v3 and epoch 2', async () => {
      const c = await capture();
      const [header, state] = c.split('\n');
      return c.includes(' v3 ') && header!.includes('epoch 2') && state!.startsWith('converged') && c;
    }, { timeoutMs: 20_000, everyMs: 200 });
    expect(second).toContain(' v3 ');
    expect(second).toContain('epoch 2');
    expect(second).toMatch(/joined\s+v3/);
    const ring2 = second.split('\n').find((l) => /^\s+0 [A-Z~_.]+\s*$/.test(l))!.trim().split(/\s+/)[1]!;
    expect(new Set(ring2)).toEqual(new Set(['A', 'B', 'C']));
    const dir = join(infraHome(), 'captures');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'watch-live-view.txt'), second);
    console.log(`[watch live view, 120x40]\n${second}`);
    await sleep(100);
  });
});
