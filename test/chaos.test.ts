// The short chaos run (npm run chaos -- --duration 45 --seed 1 --json) as an
// integration test. It starts its own 3-node ZooKeeper ensemble and Kafka
// through infra/ (not the shared servers of the global setup), kills, pauses,
// scales and slows pollers, kills the leading coordinator and a ZooKeeper
// node, and must find nothing lost, no unexplained duplicate, no order or
// exclusivity violation, no zombie commit and no offset regression.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = resolve(process.cwd(), 'dist/test/chaos/main.js');

function runChaos(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    // SIGTERM lets the run clean up its servers and processes; it is bounded itself.
    const timer = setTimeout(() => child.kill('SIGTERM'), 400_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

describe('chaos (short run)', () => {
  it.skipIf(!existsSync(MAIN))('survives kill -9, zombies, coordinator and ZooKeeper kills, scaling and slow handlers', async () => {
    const r = await runChaos(['--duration', '45', '--seed', '1', '--json']);
    const last = r.stdout.trim().split('\n').pop() ?? '';
    expect(last.startsWith('{'), `no JSON report; stderr tail:\n${r.stderr.slice(-4000)}`).toBe(true);
    const report = JSON.parse(last) as Record<string, unknown> & { faults: Record<string, number> };
    const mustBeZero = ['lost', 'duplicatesUnexplained', 'orderViolations', 'overlapViolations', 'zombieStarts', 'zombieCommits', 'offsetRegressions'];
    for (const k of mustBeZero) expect(report[k], `${k}; report: ${last}`).toBe(0);
    expect(report['drained']).toBe(true);
    expect(report['produced']).toBeGreaterThan(1000);
    expect(report['seed']).toBe(1);
    expect(Object.keys(report.faults).length, `faults ${JSON.stringify(report.faults)}`).toBeGreaterThanOrEqual(5);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
  }, 450_000);
});
