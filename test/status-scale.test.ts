// `ringleader status` of a group larger than a screen, as a child process
// against a real ZooKeeper: the summary stays short, --full and --json stay complete.
import { afterEach, describe, expect, it } from 'vitest';
import { GroupPaths, readGroupSnapshot, ZkSession } from '../coordinator/index.js';
import { randomName, zkConnect } from './support/env.js';
import { StandinMember, Timeline } from './support/standin-worker.js';
import { Cleanups } from './support/cleanups.js';
import { runCli } from './support/node-process.js';
import { waitFor } from './support/wait-for.js';

const RANGES = 2_048;
const MEMBERS = 40;

// Without brokers (the test environment sets RINGLEADER_BROKERS): no topic of thousands of partitions, no lag.
const cli = (args: string[]) => runCli(args, { env: { RINGLEADER_BROKERS: undefined } });

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function convergedGroup(): Promise<string> {
  const group = randomName('scale-status');
  const created = await cli(['create', '--zk', zkConnect(), '--group', group, '--topic', `${group}-t`, '--ranges', String(RANGES)]);
  expect(created.code, created.stderr).toBe(0);
  const timeline = new Timeline();
  await Promise.all(
    Array.from({ length: MEMBERS }, async (_, i) => {
      const m = new StandinMember({ connect: zkConnect(), group, id: `m${String(i).padStart(2, '0')}`, ranges: RANGES, timeline, coordinator: i === 0 });
      cleanups.add(() => m.close());
      await m.start();
    }),
  );
  const admin = new ZkSession({ connect: zkConnect() });
  await admin.start();
  cleanups.add(() => admin.close());
  await waitFor('converged', async () => {
    const s = await readGroupSnapshot(admin, new GroupPaths(group));
    return s.converged && s.pollers.length === MEMBERS;
  }, { timeoutMs: 90_000, everyMs: 500 });
  return group;
}

describe('ringleader status of a large group', () => {
  it('prints a summary that fits a screen; --full and --json stay complete', async () => {
    const group = await convergedGroup();
    const status = (...flags: string[]) => cli(['status', '--zk', zkConnect(), '--group', group, ...flags]);

    const summary = await status();
    expect(summary.code, summary.stderr).toBe(0);
    const lines = summary.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toMatch(new RegExp(`^group ${group} .* ranges ${RANGES} .* converged$`));
    expect(summary.stdout).toContain(`ranges   ${RANGES} as assigned (100.0%)  0 moving  0 waiting  0 unassigned`);
    expect(summary.stdout).toContain(`ring     0 ${'#'.repeat(64)} ${RANGES - 1}`);
    expect(summary.stdout).toContain('lag      unknown');
    expect(summary.stdout).toMatch(/^pollers  40: 40 active  ranges held per active poller: min \d+  median [\d.]+  mean 51.2  max \d+$/m);
    console.log(`[status of ${MEMBERS} members x ${RANGES} ranges]\n${summary.stdout}`);

    const full = await status('--full');
    expect(full.stdout.split('\n').filter((l) => /^\d+ +m\d\d /.test(l))).toHaveLength(RANGES);
    expect(full.stdout.split('\n').filter((l) => /^m\d\d /.test(l))).toHaveLength(MEMBERS);

    // Larger than a pipe's buffer: every byte arrives before the process exits.
    const json = await status('--json');
    expect(json.stdout.length).toBeGreaterThan(64 * 1024);
    const parsed = JSON.parse(json.stdout) as { assignment: unknown[]; pollers: unknown[] };
    expect(parsed.assignment).toHaveLength(RANGES);
    expect(parsed.pollers).toHaveLength(MEMBERS);
  });
});
