import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retry, RetryAbortedError, sleep } from './retry.js';
import { ZK, ZkError } from './zk-errors.js';

describe('backoffDelay', () => {
  it('grows exponentially and caps at maxMs without jitter', () => {
    const opts = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, opts, () => 0.7))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('doubles and does not jitter by default', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, { initialMs: 250, maxMs: 5_000 }, () => 0.9))).toEqual([
      250, 500, 1_000, 2_000, 4_000, 5_000,
    ]);
  });

  it('removes at most `jitter` of the delay', () => {
    const opts = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 };
    expect(backoffDelay(1, opts, () => 0)).toBe(100);
    expect(backoffDelay(1, opts, () => 0.999999)).toBeCloseTo(50, 3);
  });

  it('stays within [base*(1-jitter), min(base, maxMs)] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.record({
          initialMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
          maxMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
          multiplier: fc.double({ min: 1, max: 10, noNaN: true }),
          jitter: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (attempt, opts, r) => {
          const d = backoffDelay(attempt, opts, () => r);
          const growth = opts.multiplier ** Math.max(0, attempt - 1);
          const base = Math.min(opts.maxMs, opts.initialMs === 0 ? 0 : opts.initialMs * growth);
          expect(Number.isFinite(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(opts.maxMs);
          expect(d).toBeLessThanOrEqual(base + 1e-9);
          expect(d).toBeGreaterThanOrEqual(base * (1 - opts.jitter) - 1e-9);
        },
      ),
    );
  });

  it('clamps nonsense options instead of returning NaN', () => {
    const d = backoffDelay(Number.NaN, { initialMs: Number.NaN, maxMs: 500, multiplier: -3, jitter: 7 }, () => 2);
    expect(d).toBe(0);
    expect(backoffDelay(3, { initialMs: 10, maxMs: Number.POSITIVE_INFINITY, multiplier: 3, jitter: 0 })).toBe(0);
  });
});

/** An injected sleep that records the delays and returns at once. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: (ms: number) => (waits.push(ms), Promise.resolve()) };
}

/** A task that fails with the given errors, in order, then succeeds with `value`. */
function failing<T>(errors: unknown[], value: T) {
  const calls: number[] = [];
  return {
    calls,
    fn: async (attempt: number) => {
      calls.push(attempt);
      if (calls.length <= errors.length) throw errors[calls.length - 1];
      return value;
    },
  };
}

const loss = () => new ZkError(ZK.CONNECTION_LOSS, 'connection lost');

describe('retry: trying again', () => {
  it('tries again after failures, waiting the backoff in between, and returns the result', async () => {
    const { waits, sleep } = fakeSleep();
    const task = failing([loss(), loss(), new Error('boom')], 'ok');
    await expect(retry(task.fn, { initialMs: 100, maxMs: 300, sleep })).resolves.toBe('ok');
    expect(task.calls).toEqual([1, 2, 3, 4]);
    expect(waits).toEqual([100, 200, 300]);
  });

  it('does not wait before the first attempt', async () => {
    const { waits, sleep } = fakeSleep();
    await expect(retry(async () => 7, { initialMs: 100, maxMs: 300, sleep })).resolves.toBe(7);
    expect(waits).toEqual([]);
  });

  it('throws a ZooKeeper error that is not retriable at once', async () => {
    const { waits, sleep } = fakeSleep();
    const noNode = new ZkError(ZK.NO_NODE, 'gone', '/x');
    const task = failing([loss(), noNode], 'never');
    await expect(retry(task.fn, { initialMs: 10, maxMs: 10, sleep })).rejects.toBe(noNode);
    expect(task.calls).toEqual([1, 2]);
    expect(waits).toEqual([10]);
  });

  it('retries CONNECTION_LOSS and OPERATION_TIMEOUT', async () => {
    const { sleep } = fakeSleep();
    const task = failing([loss(), new ZkError(ZK.OPERATION_TIMEOUT, 'slow')], 'ok');
    await expect(retry(task.fn, { initialMs: 10, maxMs: 10, sleep })).resolves.toBe('ok');
    expect(task.calls).toHaveLength(3);
  });

  it('lets the caller decide what is worth another attempt', async () => {
    const { sleep } = fakeSleep();
    const noNode = new ZkError(ZK.NO_NODE, 'gone');
    const everything = failing([noNode, noNode], 'ok');
    await expect(retry(everything.fn, { initialMs: 1, maxMs: 1, sleep, retriable: () => true })).resolves.toBe('ok');
    const nothing = failing([loss()], 'ok');
    await expect(retry(nothing.fn, { initialMs: 1, maxMs: 1, sleep, retriable: () => false })).rejects.toBeInstanceOf(ZkError);
    expect(nothing.calls).toEqual([1]);
  });

});

describe('retry: stopping', () => {
  it('honours attempts: the last attempt\'s error is thrown', async () => {
    const { waits, sleep } = fakeSleep();
    const errors = [loss(), loss(), loss(), loss()];
    const task = failing(errors, 'never');
    await expect(retry(task.fn, { initialMs: 5, maxMs: 100, attempts: 3, sleep })).rejects.toBe(errors[2]);
    expect(task.calls).toEqual([1, 2, 3]);
    expect(waits).toEqual([5, 10]);
  });

  it('tells onRetry the error, the failed attempt and the delay before each wait', async () => {
    const { sleep } = fakeSleep();
    const errors = [loss(), loss()];
    const seen: [unknown, number, number][] = [];
    const task = failing(errors, 'ok');
    await retry(task.fn, { initialMs: 50, maxMs: 80, sleep, onRetry: (err, attempt, delay) => seen.push([err, attempt, delay]) });
    expect(seen).toEqual([
      [errors[0], 1, 50],
      [errors[1], 2, 80],
    ]);
  });

  it('stops with RetryAbortedError carrying the last error when `while` stops holding', async () => {
    const { sleep } = fakeSleep();
    let keepGoing = true;
    const last = loss();
    const task = failing([loss(), last, loss()], 'never');
    const run = retry(task.fn, {
      initialMs: 1,
      maxMs: 1,
      sleep,
      onRetry: (_err, attempt) => {
        if (attempt === 2) keepGoing = false;
      },
      while: () => keepGoing,
    });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect((err as RetryAbortedError).lastError).toBe(last);
    expect(task.calls).toEqual([1, 2]);
  });

  it('makes no attempt when `while` does not hold at the start', async () => {
    const task = failing([], 'never');
    const err = await retry(task.fn, { initialMs: 1, maxMs: 1, while: () => false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryAbortedError);
    expect((err as RetryAbortedError).lastError).toBeUndefined();
    expect(task.calls).toEqual([]);
  });

  it('an abort during the wait ends it at once with RetryAbortedError', async () => {
    const controller = new AbortController();
    const task = failing([loss(), loss()], 'never');
    const started = Date.now();
    const run = retry(task.fn, { initialMs: 60_000, maxMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(run).rejects.toBeInstanceOf(RetryAbortedError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(task.calls).toEqual([1]);
  });

  it('hands the signal to the injected sleep', async () => {
    const controller = new AbortController();
    const signals: (AbortSignal | undefined)[] = [];
    const task = failing([loss()], 'ok');
    await retry(task.fn, { initialMs: 1, maxMs: 1, signal: controller.signal, sleep: async (_ms, s) => void signals.push(s) });
    expect(signals).toEqual([controller.signal]);
  });
});

describe('sleep', () => {
  it('resolves after the time, or at once when aborted (before or during)', async () => {
    const t0 = Date.now();
    await sleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    const aborted = AbortSignal.abort();
    const t1 = Date.now();
    await sleep(60_000, aborted);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    await sleep(60_000, controller.signal);
    expect(Date.now() - t1).toBeLessThan(5_000);
  });
});
