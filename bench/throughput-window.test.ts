import { describe, expect, it } from 'vitest';
import { steadyWindow } from './throughput-window.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('steadyWindow', () => {
  it('opens only once the consumer is ready and has counted messages, and spans exactly the window after that', async () => {
    let count = 0;
    let ready = false;
    const w = steadyWindow({ count: () => count, ready: () => ready, messages: 1_000, total: 10_000, sampleMs: 1 });
    count = 300; // start-up messages before every partition is owned
    await tick();
    ready = true;
    count = 500;
    await tick();
    count = 1_200;
    await tick();
    count = 1_600;
    const t = await w.done;
    expect(t.before).toBe(500);
    expect(t.messages).toBe(1_100);
    expect(t.rate).toBeGreaterThan(0);
    expect(t.cpuUsPerMsg).toBeGreaterThanOrEqual(0);
  });

  it('does not open on a ready consumer that has counted nothing yet', async () => {
    let count = 0;
    const w = steadyWindow({ count: () => count, ready: () => true, messages: 10, total: 100, sampleMs: 1 });
    await tick();
    count = 5;
    await tick();
    count = 15;
    const t = await w.done;
    expect(t.before).toBe(5);
  });

  it('refuses a window that cannot close before the topic ends', async () => {
    const w = steadyWindow({ count: () => 600, ready: () => true, messages: 500, total: 1_000, sampleMs: 1 });
    await expect(w.done).rejects.toThrow(/cannot fit: 600 of 1000 .*preload more/);
  });
});
