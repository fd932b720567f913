// `ringleader demo --ci` end to end: real ZooKeeper and Kafka (global setup),
// real poller processes, kill -9 and drain; nothing may be lost and nothing
// may be left running.
import { describe, expect, it } from 'vitest';
import { brokers, zkConnect } from './support/env.js';
import { runCli, startCli, type NodeProcess } from './support/node-process.js';
import { waitFor } from './support/wait-for.js';

const demoArgs = (args: string[]) => ['demo', '--ci', '--log-level', 'warn', ...args];
const env = () => ({ RINGLEADER_ZK: zkConnect(), RINGLEADER_BROKERS: brokers().join(',') });

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('ringleader demo --ci', () => {
  it('plays join, kill -9 and drain without losing a message, and leaves nothing running', async () => {
    const run = await runCli(demoArgs(['--step-seconds', '7', '--rate', '100', '--session-timeout', '4000']), { env: env(), timeoutMs: 180_000 });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const s = lastJson(run.stdout);
    for (const key of ['produced', 'handled', 'lost', 'duplicates', 'recoveryMs', 'handoffMs']) expect(s).toHaveProperty(key);
    expect(s['lost']).toBe(0);
    expect(s['lostIds']).toEqual([]);
    expect(s['produced']).toBeGreaterThan(1_000); // ~100 msg/s for 35 s
    expect(s['handled']).toBe(s['produced']);
    expect(s['duplicates']).toBeGreaterThanOrEqual(0);
    expect(s['orderViolations']).toBe(0);
    expect(s['interrupted']).toBe(false);
    // The killed poller's ranges wait for its session to expire (4 s) and no
    // longer than a few seconds more.
    expect(s['rangesRecovered']).toBeGreaterThan(0);
    expect(s['recoveryMs']).toBeGreaterThanOrEqual(3_000);
    expect(s['recoveryMs']).toBeLessThan(20_000);
    // A planned handoff pauses only briefly.
    expect(s['rangesHandedOff']).toBeGreaterThan(0);
    expect(s['handoffMs']).toBeGreaterThanOrEqual(0);
    expect(s['handoffMs']).toBeLessThan(s['recoveryMs'] as number);
    // The resize step: 16 -> 32 ranges while the producer and the pollers ran.
    expect(s['resizedTo']).toBe(32);
    expect(s['resizePauseMs']).toBeGreaterThan(0);
    expect(s['resizeMs']).toBeLessThan(20_000);
    const pollers = s['pollers'] as { id: string; pid: number; exit: string }[];
    expect(pollers.map((p) => p.id)).toEqual(['poller-1', 'poller-2', 'poller-3', 'poller-4']);
    expect(pollers.find((p) => p.id === 'poller-2')?.exit).toBe('signal SIGKILL');
    for (const p of pollers.filter((x) => x.id !== 'poller-2')) expect(p.exit, p.id).toBe('code 0');
    for (const p of pollers) expect(alive(p.pid), `${p.id} pid ${p.pid}`).toBe(false);
  }, 180_000);

  it('stops everything it started on SIGTERM', async () => {
    const run: NodeProcess = startCli(demoArgs(['--step-seconds', '30', '--rate', '50']), { env: env() });
    // Once the script runs, the 3 pollers are up: stop the demo there.
    await waitFor('the script to run', () => run.stderr.includes('[t=0.0s]'), { timeoutMs: 100_000 });
    run.signal('SIGTERM');
    expect((await run.exited).code).toBe(130);
    const s = lastJson(run.stdout);
    expect(s['interrupted']).toBe(true);
    const pollers = s['pollers'] as { id: string; pid: number; exit: string }[];
    expect(pollers).toHaveLength(3);
    for (const p of pollers) {
      expect(p.exit, p.id).toBe('code 0'); // a graceful drain, not a kill
      expect(alive(p.pid), `${p.id} pid ${p.pid}`).toBe(false);
    }
  }, 120_000);
});
