import { describe, expect, it } from 'vitest';
import { sleep } from './wait-for.js';

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
