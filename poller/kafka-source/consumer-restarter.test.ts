import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConsumerRestarter } from './consumer-restarter.js';

interface Line {
  level: 'warn' | 'error';
  msg: string;
  delayMs?: number;
}

/** A restarter whose waits end at once (recorded) unless the test holds them. */
function harness(restart: (n: number) => Promise<void>) {
  const lines: Line[] = [];
  const delays: number[] = [];
  const failures: unknown[] = [];
  let restarts = 0;
  let held: (() => void) | null = null;
  let holdWaits = false;
  const record = (level: Line['level']) => (obj: { delayMs?: number }, msg: string) => {
    lines.push(obj.delayMs === undefined ? { level, msg } : { level, msg, delayMs: obj.delayMs });
  };
  const log = { warn: record('warn'), error: record('error') } as unknown as Logger;
  const restarter = new ConsumerRestarter({
    restart: () => restart(++restarts),
    log,
    onFailure: (err) => failures.push(err),
    sleep: (ms, signal) => {
      delays.push(ms);
      if (!holdWaits || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        held = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    },
  });
  return {
    restarter,
    lines,
    delays,
    failures,
    restarts: () => restarts,
    holdWaits: () => (holdWaits = true),
    releaseWait: () => held?.(),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));
const boom = new Error('boom');

describe('ConsumerRestarter', () => {
  it('restarts 1 s after a crash kafkajs gives up on', async () => {
    const h = harness(async () => {});
    h.restarter.crashed(boom);
    await settle();
    expect(h.delays).toEqual([1000]);
    expect(h.restarts()).toBe(1);
    expect(h.lines).toEqual([{ level: 'warn', msg: 'restarting kafka consumer', delayMs: 1000 }]);
  });

  it('doubles the wait after each failed restart up to 30 s, reporting each failure', async () => {
    const h = harness(async (n) => {
      if (n <= 6) throw new Error(`refused ${n}`);
    });
    h.restarter.crashed(boom);
    await settle();
    expect(h.delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(h.restarts()).toBe(7);
    expect(h.failures.map((e) => (e as Error).message)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `refused ${n}`));
    expect(h.lines.slice(0, 3)).toEqual([
      { level: 'warn', msg: 'restarting kafka consumer', delayMs: 1000 },
      { level: 'error', msg: 'kafka consumer restart failed' },
      { level: 'warn', msg: 'restarting kafka consumer', delayMs: 2000 },
    ]);
  });

  it('counts a crash during the restart (a failed group join inside run()) as a failed restart, reported as a crash only', async () => {
    let h: ReturnType<typeof harness> | undefined;
    h = harness(async (n) => {
      if (n === 1) h!.restarter.crashed(new Error('join failed'));
    });
    h.restarter.crashed(boom);
    await settle();
    expect(h.delays).toEqual([1000, 2000]);
    expect(h.restarts()).toBe(2);
    expect(h.failures).toEqual([]);
    expect(h.lines.map((l) => l.msg)).toEqual(['restarting kafka consumer', 'restarting kafka consumer']);
  });

  it('ignores a crash while a restart is due, and starts over at 1 s after a restart that worked', async () => {
    const h = harness(async () => {});
    h.holdWaits();
    h.restarter.crashed(boom);
    h.restarter.crashed(boom);
    await settle();
    expect(h.delays).toEqual([1000]);
    h.releaseWait();
    await settle();
    expect(h.restarts()).toBe(1);
    h.restarter.crashed(boom);
    await settle();
    expect(h.delays).toEqual([1000, 1000]);
  });

  it('restarts nothing once closed, even a wait under way', async () => {
    const h = harness(async () => {});
    h.holdWaits();
    h.restarter.crashed(boom);
    await settle();
    h.restarter.close();
    await settle();
    h.restarter.crashed(boom);
    await settle();
    expect(h.restarts()).toBe(0);
    expect(h.delays).toEqual([1000]);
  });

  it('stops retrying when closed during a failing restart, without announcing another', async () => {
    let h: ReturnType<typeof harness> | undefined;
    h = harness(async () => {
      h!.restarter.close();
      throw new Error('refused');
    });
    h.restarter.crashed(boom);
    await settle();
    expect(h.restarts()).toBe(1);
    expect(h.lines.map((l) => l.msg)).toEqual(['restarting kafka consumer', 'kafka consumer restart failed']);
  });
});
