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
