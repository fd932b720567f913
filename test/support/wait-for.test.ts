import { describe, expect, it } from 'vitest';
import { atMost, sleep } from './wait-for.js';

describe('the test kit sleep', () => {
  it('ends early when aborted during the wait', async () => {
    const abort = new AbortController();
    const t0 = Date.now();
    setTimeout(() => abort.abort(), 20);
    await sleep(10_000, abort.signal);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('does not wait at all once already aborted (the run was stopping early and sat out its last wait)', async () => {
    const abort = new AbortController();
    abort.abort();
    const t0 = Date.now();
    await sleep(10_000, abort.signal);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describe('atMost', () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it("gives the promise's value and leaves no timer behind (a lost race's timer would hold the process open)", async () => {
    const before = timers();
    expect(await atMost(Promise.resolve(7), 60_000)).toBe(7);
    expect(timers()).toBe(before);
  });

  it('gives undefined once the time is up, and its signal ends the wait early', async () => {
    expect(await atMost(new Promise(() => undefined), 20)).toBeUndefined();
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    const t0 = Date.now();
    expect(await atMost(new Promise(() => undefined), 60_000, abort.signal)).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
