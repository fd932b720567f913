import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadLetterNow, HandlerUnavailable, type Handler, type RingMessage } from './message.js';
import { RangePipeline, type RangePipelineOptions } from './range-pipeline.js';

const BACKOFF = { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 };

function msg(offset: number, key: string | null = 'k'): RingMessage {
  return {
    topic: 't',
    range: 0,
    partition: 0,
    offset: String(offset),
    key,
    value: Buffer.from(`v${offset}`),
    headers: {},
    timestamp: '0',
    attempt: 0,
  };
}

/** A sleep that only wakes when the test says so. */
function manualSleep() {
  const pending: { ms: number; wake: () => void }[] = [];
  return {
    sleep: (ms: number) => new Promise<void>((wake) => pending.push({ ms, wake })),
    pending,
    wakeAll() {
      const all = pending.splice(0);
      for (const p of all) p.wake();
      return all.map((p) => p.ms);
    },
  };
}

/** A handler whose calls stay open until the test settles them. */
function deferredHandler() {
  const calls: { msg: RingMessage; resolve: () => void; reject: (e: Error) => void }[] = [];
  const handler: Handler = (m) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ msg: m, resolve, reject });
    });
  return { handler, calls };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function pipeline(overrides: Partial<RangePipelineOptions>): RangePipeline {
  return new RangePipeline({
    range: 0,
    topic: 't',
    concurrency: 1,
    maxAttempts: 3,
    backoff: BACKOFF,
    handler: async () => {},
    deadLetter: async () => {},
    canStart: () => true,
    random: () => 0,
    ...overrides,
  });
}

describe('RangePipeline acks and offsets', () => {
  it('handles in offset order with concurrency 1 and moves the low-water mark', async () => {
    const seen: string[] = [];
    const p = pipeline({ handler: async (m) => void seen.push(m.offset) });
    p.start(5);
    expect(p.committable()).toBe(5);
    p.push([msg(5), msg(6, 'x'), msg(7, null)]);
    await p.idle();
    expect(seen).toEqual(['5', '6', '7']);
    expect(p.committable()).toBe(8);
    expect(p.inFlight()).toBe(0);
  });

  it('commits the lowest unacked offset when later ones finish first', async () => {
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler, concurrency: 3 });
    p.start(0);
    p.push([msg(0, 'a'), msg(1, 'b'), msg(2, 'c')]);
    expect(h.calls.map((c) => c.msg.offset)).toEqual(['0', '1', '2']);
    h.calls[2]!.resolve();
    h.calls[1]!.resolve();
    await flush();
    expect(p.committable()).toBe(0);
    h.calls[0]!.resolve();
    await flush();
    expect(p.committable()).toBe(3);
  });

  it('drops stale offsets and accepts gaps', async () => {
    const seen: string[] = [];
    const p = pipeline({ handler: async (m) => void seen.push(m.offset) });
    p.start(10);
    p.push([msg(8), msg(9), msg(10), msg(12)]);
    p.push([msg(11), msg(12), msg(15)]);
    await p.idle();
    expect(seen).toEqual(['10', '12', '15']);
    expect(p.committable()).toBe(16);
  });

  it('runs different keys in parallel but one key at a time', async () => {
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler, concurrency: 4 });
    p.start(0);
    p.push([msg(0, 'a'), msg(1, 'a'), msg(2, 'b'), msg(3, null), msg(4, null)]);
    expect(h.calls.map((c) => c.msg.offset)).toEqual(['0', '2', '3', '4']);
    expect(p.queued()).toBe(1);
    expect(p.inFlight()).toBe(4);
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls.map((c) => c.msg.offset)).toEqual(['0', '2', '3', '4', '1']);
  });

  it('throws on push before start', () => {
    expect(() => pipeline({}).push([msg(0)])).toThrow(/before start/);
  });
});

describe('RangePipeline retries and dead letters', () => {
  it('retries with backoff, then dead-letters after maxAttempts and acks', async () => {
    const s = manualSleep();
    const attempts: string[] = [];
    const dead: { offset: string; attempts: number; error: string }[] = [];
    const retried: number[] = [];
    const deadEvents: string[] = [];
    const p = pipeline({
      sleep: s.sleep,
      handler: async (m) => {
        attempts.push(`${m.offset}#${m.attempt}`);
        throw new Error(`boom ${m.attempt}`);
      },
      deadLetter: async (m, err, n) => void dead.push({ offset: m.offset, attempts: n, error: err.message }),
      events: { retried: (m) => void retried.push(m.attempt), deadLettered: (m) => void deadEvents.push(m.offset) },
    });
    p.start(0);
    p.push([msg(0), msg(1)]);
    await flush();
    expect(s.wakeAll()).toEqual([100]);
    await flush();
    expect(s.wakeAll()).toEqual([200]);
    await flush();
    // The next message starts only once the first is dead-lettered.
    expect(attempts).toEqual(['0#1', '0#2', '0#3', '1#1']);
    expect(retried).toEqual([1, 2, 1]);
    expect(dead).toEqual([{ offset: '0', attempts: 3, error: 'boom 3' }]);
    expect(deadEvents).toEqual(['0']);
    expect(p.committable()).toBe(1);
  });

  it('acknowledges a handler that returns nothing at once, and retries one that throws synchronously', async () => {
    const seen: string[] = [];
    let failOnce = true;
    const p = pipeline({
      concurrency: 2,
      handler: (m) => {
        if (m.offset === '1' && failOnce) {
          failOnce = false;
          throw new Error('sync failure');
        }
        seen.push(`${m.offset}#${m.attempt}`);
      },
      sleep: async () => {},
    });
    p.start(0);
    p.push([msg(0, 'a'), msg(1, 'b'), msg(2, 'a')]);
    expect(seen).toEqual(['0#1', '2#1']);
    expect(p.committable()).toBe(1);
    await p.idle();
    expect(seen).toEqual(['0#1', '2#1', '1#2']);
    expect(p.committable()).toBe(3);
  });

  it('DeadLetterNow skips the remaining attempts', async () => {
    const dead: number[] = [];
    const p = pipeline({
      handler: async () => {
        throw new DeadLetterNow('sidecar said 404');
      },
      deadLetter: async (_m, _e, n) => void dead.push(n),
    });
    p.start(0);
    p.push([msg(0)]);
    await p.idle();
    expect(dead).toEqual([1]);
    expect(p.committable()).toBe(1);
  });
});

describe('RangePipeline backoff and dead-letter writes', () => {
  it('HandlerUnavailable retries with growing backoff without using up attempts', async () => {
    const s = manualSleep();
    const dead: number[] = [];
    const attempts: number[] = [];
    let down = 6;
    const p = pipeline({
      sleep: s.sleep,
      maxAttempts: 2,
      handler: async (m) => {
        attempts.push(m.attempt);
        if (down-- > 0) throw new HandlerUnavailable('sidecar refused the connection');
      },
      deadLetter: async (_m, _e, n) => void dead.push(n),
    });
    p.start(0);
    p.push([msg(0)]);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      await flush();
      delays.push(...s.wakeAll());
    }
    await p.idle();
    expect(dead).toEqual([]);
    expect(attempts).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(p.committable()).toBe(1);
  });

  it('keeps retrying a failing dead-letter write and never acks before it succeeds', async () => {
    const s = manualSleep();
    let dlqCalls = 0;
    const p = pipeline({
      sleep: s.sleep,
      maxAttempts: 1,
      handler: async () => {
        throw new Error('bad');
      },
      deadLetter: async () => {
        dlqCalls++;
        if (dlqCalls < 3) throw new Error('kafka down');
      },
    });
    p.start(0);
    p.push([msg(0)]);
    await flush();
    expect(dlqCalls).toBe(1);
    expect(p.committable()).toBe(0);
    s.wakeAll();
    await flush();
    expect(dlqCalls).toBe(2);
    expect(p.committable()).toBe(0);
    s.wakeAll();
    await flush();
    expect(dlqCalls).toBe(3);
    expect(p.committable()).toBe(1);
  });

  it('lets other keys flow while one key backs off', async () => {
    const s = manualSleep();
    const done: string[] = [];
    const p = pipeline({
      sleep: s.sleep,
      concurrency: 2,
      handler: async (m) => {
        if (m.key === 'bad') throw new Error('nope');
        done.push(m.offset);
      },
    });
    p.start(0);
    p.push([msg(0, 'bad'), msg(1, 'good'), msg(2, 'good'), msg(3, 'other')]);
    await flush();
    expect(done).toEqual(['1', '2', '3']);
    expect(p.committable()).toBe(0);
    expect(s.pending.length).toBe(1);
  });
});

describe('RangePipeline gating', () => {
  it('does not start while canStart() is false, and resumes on resume()', async () => {
    let allowed = false;
    const seen: string[] = [];
    const p = pipeline({ canStart: () => allowed, handler: async (m) => void seen.push(m.offset) });
    p.start(0);
    p.push([msg(0), msg(1)]);
    await flush();
    expect(seen).toEqual([]);
    expect(p.queued()).toBe(2);
    allowed = true;
    p.resume();
    await p.idle();
    expect(seen).toEqual(['0', '1']);
  });

  it('checks canStart() between messages and before retries', async () => {
    const s = manualSleep();
    let allowed = true;
    const attempts: string[] = [];
    const p = pipeline({
      sleep: s.sleep,
      canStart: () => allowed,
      handler: async (m) => {
        attempts.push(`${m.offset}#${m.attempt}`);
        allowed = false;
        if (m.attempt === 1) throw new Error('once');
      },
    });
    p.start(0);
    p.push([msg(0), msg(1)]);
    await flush();
    s.wakeAll();
    await flush();
    expect(attempts).toEqual(['0#1']);
    allowed = true;
    p.resume();
    await flush();
    expect(attempts).toEqual(['0#1', '0#2']);
    allowed = true;
    p.resume();
    await flush();
    expect(attempts).toEqual(['0#1', '0#2', '1#1']);
  });
});

describe('RangePipeline release', () => {
  it('release finishes queued messages below the highest started one and starts nothing above', async () => {
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler, concurrency: 2 });
    p.start(100);
    // a@100 and b@102 start; a@101 waits behind a; c@103 waits for a slot.
    p.push([msg(100, 'a'), msg(101, 'a'), msg(102, 'b'), msg(103, 'c'), msg(104, 'a')]);
    expect(h.calls.map((c) => c.msg.offset)).toEqual(['100', '102']);
    const released = p.release(10_000);
    p.push([msg(105, 'd')]);
    h.calls[1]!.resolve();
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls.map((c) => c.msg.offset)).toEqual(['100', '102', '101']);
    h.calls[2]!.resolve();
    expect(await released).toBe(103);
    expect(h.calls.length).toBe(3);
    expect(p.committable()).toBe(103);
  });

  it('release with nothing started returns the start offset', async () => {
    const p = pipeline({ canStart: () => false });
    p.start(42);
    p.push([msg(42), msg(43)]);
    expect(await p.release(1000)).toBe(42);
  });

  it('release times out with the lowest unacked offset and ignores late acks', async () => {
    const s = manualSleep();
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler, sleep: s.sleep, concurrency: 2 });
    p.start(0);
    p.push([msg(0, 'a'), msg(1, 'b')]);
    const released = p.release(5000);
    h.calls[1]!.resolve();
    await flush();
    expect(s.wakeAll()).toEqual([5000]);
    expect(await released).toBe(0);
    h.calls[0]!.resolve();
    await flush();
    expect(p.committable()).toBe(0);
    expect(p.inFlight()).toBe(0);
  });

  it('a release hurried by a stop at its deadline ends by the shorter limit, and nothing starts after it', async () => {
    const s = manualSleep();
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler, sleep: s.sleep, concurrency: 2 });
    p.start(0);
    p.push([msg(0, 'a'), msg(1, 'b'), msg(2, 'a')]);
    const released = p.release(60_000);
    p.hurryRelease(0);
    let offset: number | undefined;
    void released.then((o) => (offset = o));
    // The shorter limit comes due first: the release ends with the lowest unacked offset.
    const due = s.pending.splice(s.pending.findIndex((w) => w.ms === 0), 1)[0]!;
    due.wake();
    await flush();
    expect(offset).toBe(0);
    // The work it abandoned finishing late starts nothing more (a@2 stays unstarted).
    h.calls[0]!.resolve();
    h.calls[1]!.resolve();
    await flush();
    expect(h.calls.map((c) => c.msg.offset)).toEqual(['0', '1']);
    expect(p.committable()).toBe(0);
    p.hurryRelease(0); // after the release: nothing to hurry
    expect(s.pending.length).toBe(1); // only the first limit's (cancelled) wait is left
  });
});

describe('RangePipeline abort', () => {
  it('abort stops new starts and ignores in-flight results', async () => {
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler });
    p.start(0);
    p.push([msg(0), msg(1), msg(2)]);
    expect(h.calls.length).toBe(1);
    p.abort();
    h.calls[0]!.resolve();
    await flush();
    expect(h.calls.length).toBe(1);
    expect(p.committable()).toBe(0);
    expect(p.inFlight()).toBe(0);
    expect(p.queued()).toBe(0);
    await p.idle();
    p.push([msg(3)]);
    expect(h.calls.length).toBe(1);
  });

  it('abort during release resolves the release with the lowest unacked offset', async () => {
    const h = deferredHandler();
    const p = pipeline({ handler: h.handler, concurrency: 2 });
    p.start(0);
    p.push([msg(0, 'a'), msg(1, 'b')]);
    const released = p.release(60_000);
    h.calls[1]!.resolve();
    await flush();
    p.abort();
    expect(await released).toBe(0);
    await p.idle();
  });

  it('can start again after abort', async () => {
    const seen: string[] = [];
    const p = pipeline({ handler: async (m) => void seen.push(m.offset) });
    p.start(0);
    p.abort();
    p.start(7);
    p.push([msg(6), msg(7)]);
    await p.idle();
    expect(seen).toEqual(['7']);
    expect(p.committable()).toBe(8);
  });
});

describe('RangePipeline properties', () => {
  it('keeps per-key order, bounds parallelism and acks everything under random timing and failures', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(
          fc.record({
            key: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { nil: null }),
            gap: fc.integer({ min: 1, max: 3 }),
            delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
            failures: fc.integer({ min: 0, max: 2 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 5 }),
        async (concurrency, specs, batchSize) => {
          let offset = 3;
          const messages = specs.map((s) => {
            const m = msg(offset, s.key);
            offset += s.gap;
            return { m, spec: s };
          });
          const byOffset = new Map(messages.map(({ m, spec }) => [m.offset, spec]));
          const inFlightKeys = new Set<string>();
          const lastDoneByKey = new Map<string, number>();
          const violations: string[] = [];
          let running = 0;
          let maxRunning = 0;
          const handled: number[] = [];
          const handler: Handler = async (m) => {
            running++;
            maxRunning = Math.max(maxRunning, running);
            if (m.key !== null) {
              if (inFlightKeys.has(m.key)) violations.push(`overlap on ${m.key}`);
              inFlightKeys.add(m.key);
              const last = lastDoneByKey.get(m.key);
              if (last !== undefined && last >= Number(m.offset)) violations.push(`order on ${m.key}`);
            }
            const spec = byOffset.get(m.offset)!;
            const d = spec.delays[(m.attempt - 1) % spec.delays.length]!;
            for (let i = 0; i < d; i++) await new Promise<void>((r) => setImmediate(r));
            running--;
            if (m.key !== null) inFlightKeys.delete(m.key);
            if (m.attempt <= spec.failures) throw new Error('flaky');
            if (m.key !== null) lastDoneByKey.set(m.key, Number(m.offset));
            handled.push(Number(m.offset));
          };
          const p = pipeline({ concurrency, handler, maxAttempts: 5, sleep: () => Promise.resolve() });
          p.start(3);
          for (let i = 0; i < messages.length; i += batchSize) {
            p.push(messages.slice(i, i + batchSize).map((x) => x.m));
            if (i % 2 === 0) await new Promise<void>((r) => setImmediate(r));
          }
          await p.idle();
          expect(violations).toEqual([]);
          expect(maxRunning).toBeLessThanOrEqual(concurrency);
          expect([...handled].sort((a, b) => a - b)).toEqual(messages.map(({ m }) => Number(m.offset)));
          expect(p.committable()).toBe(offset - specs[specs.length - 1]!.gap + 1);
        },
      ),
      { numRuns: 150 },
    );
  });
});
