import { describe, expect, it } from 'vitest';
import { CoalescingRunner } from './coalescing-runner.js';

/** A task whose runs end only when the test says so. */
function controlledTask() {
  const ends: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  const task = () => {
    runs++;
    active++;
    maxActive = Math.max(maxActive, active);
    return new Promise<void>((resolve) =>
      ends.push(() => {
        active--;
        resolve();
      }),
    );
  };
  return {
    task,
    get runs() {
      return runs;
    },
    get maxActive() {
      return maxActive;
    },
    /** Ends the oldest unfinished run and lets the runner react. */
    async finish() {
      ends.shift()!();
      await flush();
    },
  };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('CoalescingRunner: one run at a time', () => {
  it('runs the task once for a request, starting it synchronously', async () => {
    const t = controlledTask();
    const runner = new CoalescingRunner(t.task);
    const done = runner.request();
    expect(t.runs).toBe(1);
    expect(runner.busy).toBe(true);
    await t.finish();
    await done;
    expect(t.runs).toBe(1);
    expect(runner.busy).toBe(false);
  });

  it('N requests during a run make exactly one more run, one at a time', async () => {
    const t = controlledTask();
    const runner = new CoalescingRunner(t.task);
    const first = runner.request();
    const during = [runner.request(), runner.request(), runner.request()];
    expect(t.runs).toBe(1);
    await t.finish();
    expect(t.runs).toBe(2);
    let settled = false;
    void Promise.all(during).then(() => (settled = true));
    await flush();
    expect(settled).toBe(false); // they wait for the run that began after them
    await t.finish();
    await Promise.all([first, ...during]);
    expect(t.runs).toBe(2);
    expect(t.maxActive).toBe(1);
  });

  it('a request after a run has ended starts a new run', async () => {
    const t = controlledTask();
    const runner = new CoalescingRunner(t.task);
    const one = runner.request();
    await t.finish();
    await one;
    const two = runner.request();
    expect(t.runs).toBe(2);
    await t.finish();
    await two;
    expect(t.runs).toBe(2);
  });

});

describe('CoalescingRunner: re-entry, failures, idle', () => {
  it('a request made from inside the task folds into one more run', async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    const runner: CoalescingRunner = new CoalescingRunner(async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      if (runs === 1) void runner.request(); // synchronously, before the first await
      await flush();
      active--;
    });
    await runner.request();
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('a task that rejects or throws does not wedge it; a pending request still runs', async () => {
    let runs = 0;
    let runner!: CoalescingRunner;
    runner = new CoalescingRunner(async () => {
      runs++;
      if (runs === 1) {
        void runner.request();
        throw new Error('first run fails');
      }
    });
    await expect(runner.request()).resolves.toBeUndefined();
    expect(runs).toBe(2);
    const throwing = new CoalescingRunner(() => {
      throw new Error('synchronous');
    });
    await expect(throwing.request()).resolves.toBeUndefined();
    expect(throwing.busy).toBe(false);
    await expect(runner.request()).resolves.toBeUndefined();
    expect(runs).toBe(3);
  });

  it('idle() resolves at once when idle, else when the last run (including a re-run) ends', async () => {
    const t = controlledTask();
    const runner = new CoalescingRunner(t.task);
    await runner.idle();
    void runner.request();
    void runner.request();
    let idle = false;
    void runner.idle().then(() => (idle = true));
    await t.finish();
    expect(idle).toBe(false);
    await t.finish();
    expect(idle).toBe(true);
    expect(t.runs).toBe(2);
  });
});
