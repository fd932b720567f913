import { describe, it, expect } from 'vitest';
import { InFlightBudget } from './in-flight-budget.js';
import { RangePipeline } from './range-pipeline.js';
import type { Handler, RingMessage } from './message.js';

function msg(range: number, offset: number, key: string): RingMessage {
  return { topic: 't', range, partition: range, offset: String(offset), key, value: Buffer.alloc(0), headers: {}, timestamp: '0', attempt: 0 };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('InFlightBudget shared by pipelines', () => {
  it('caps handler calls across ranges and hands freed slots to waiting ranges', async () => {
    const budget = new InFlightBudget(2);
    const open: (() => void)[] = [];
    let inFlight = 0;
    let peak = 0;
    const handler: Handler = () =>
      new Promise<void>((resolve) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        open.push(() => {
          inFlight--;
          resolve();
        });
      });
    const pipelines = [0, 1, 2].map(
      (range) =>
        new RangePipeline({
          range,
          topic: 't',
          concurrency: 4,
          maxAttempts: 3,
          backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 },
          handler,
          deadLetter: async () => {},
          canStart: () => true,
          budget,
        }),
    );
    pipelines.forEach((p, range) => {
      p.start(0);
      p.push([0, 1, 2, 3].map((o) => msg(range, o, `k${o}`)));
    });
    await flush();
    expect(inFlight).toBe(2);
    let handled = 0;
    while (handled < 12) {
      const next = open.shift();
      if (!next) {
        await flush();
        continue;
      }
      next();
      handled++;
      await flush();
      expect(inFlight).toBeLessThanOrEqual(2);
    }
    await Promise.all(pipelines.map((p) => p.idle()));
    expect(peak).toBe(2);
    expect(pipelines.map((p) => p.committable())).toEqual([4, 4, 4]);
    expect(budget.inUse()).toBe(0);
  });

  it('gives slots back when a pipeline is aborted mid-flight', async () => {
    const budget = new InFlightBudget(1);
    const p = new RangePipeline({
      range: 0,
      topic: 't',
      concurrency: 1,
      maxAttempts: 1,
      backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 },
      handler: () => new Promise<void>(() => undefined),
      deadLetter: async () => {},
      canStart: () => true,
      budget,
    });
    p.start(0);
    p.push([msg(0, 0, 'a')]);
    await flush();
    expect(budget.inUse()).toBe(1);
    p.abort();
    expect(budget.inUse()).toBe(0);
  });
});
