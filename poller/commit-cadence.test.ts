import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CommitCadence } from './commit-cadence.js';
import { FakeClock, flushPromises } from '../test/support/fake-clock.js';

/** A cadence whose passes each take `passMs` of fake time; records when each began and ended. */
function cadence(gapMs: number, passMs = 0, wrote = true) {
  const clock = new FakeClock();
  const starts: number[] = [];
  const ends: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const c = new CommitCadence({
    clock,
    gapMs,
    pass: async () => {
      starts.push(clock.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await clock.sleep(passMs);
      inFlight--;
      ends.push(clock.now());
      return wrote;
    },
  });
  return { clock, c, starts, ends, maxInFlight: () => maxInFlight };
}

describe('CommitCadence', () => {
  it('requestNow() does not wait out the gap: a pass waiting for it leaves at once, and one asked for during a pass follows it', async () => {
    const { clock, c, starts } = cadence(100, 5);
    c.request();
    await clock.advance(0);
    expect(starts).toEqual([0]);
    await clock.advance(20);
    c.request(); // would leave at 100
    await clock.advance(10);
    c.requestNow();
    await clock.advance(0);
    expect(starts).toEqual([0, 30]);
    c.requestNow(); // during the pass (30..35)
    await clock.advance(5);
    await clock.advance(0);
    expect(starts).toEqual([0, 30, 35]);
    // Back to the gap afterwards.
    await clock.advance(10);
    c.request();
    await clock.advance(50);
    expect(starts).toEqual([0, 30, 35]);
    await clock.advance(50);
    expect(starts).toEqual([0, 30, 35, 135]);
  });

  it('does nothing while nothing is requested', async () => {
    const { clock, starts } = cadence(100);
    await clock.advance(10_000);
    expect(starts).toEqual([]);
  });

  it('a first request is committed at once (after the current turn), not at the next interval', async () => {
    const { clock, c, starts } = cadence(100);
    await clock.advance(1_234);
    c.request();
    expect(starts).toEqual([]); // never synchronously: the same turn's requests join
    await clock.advance(0);
    expect(starts).toEqual([1_234]);
  });

  it('requests of one turn share a pass', async () => {
    const { clock, c, starts } = cadence(100);
    for (let i = 0; i < 50; i++) c.request();
    await clock.advance(1_000);
    expect(starts).toEqual([0]);
  });

  it('requests during the gap coalesce into one pass at the end of the gap', async () => {
    const { clock, c, starts } = cadence(100, 5);
    c.request();
    await clock.advance(0);
    for (const t of [10, 20, 30, 99]) {
      await clock.advance(t - clock.now());
      c.request();
    }
    await clock.advance(1_000);
    expect(starts).toEqual([0, 100]);
  });

  it('a slow pass holds the next one back until it ends (one in flight)', async () => {
    const { clock, c, starts, ends, maxInFlight } = cadence(100, 350);
    c.request();
    await clock.advance(0);
    await clock.advance(50);
    c.request();
    await clock.advance(1_000);
    expect(starts).toEqual([0, 350]);
    expect(ends).toEqual([350, 700]);
    expect(maxInFlight()).toBe(1);
  });

  it('under steady requests passes leave every gap, no more often', async () => {
    const { clock, c, starts } = cadence(100, 3);
    // A message handled every 2 ms for a second.
    for (let t = 0; t < 1_000; t += 2) {
      await clock.advance(t - clock.now());
      c.request();
    }
    await clock.advance(500);
    // 0, 100, ..., 900, and 1000 for what was handled after the pass at 900.
    expect(starts.length).toBe(11);
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(100);
  });

  it('stop() ends the cadence: a waiting pass does not start', async () => {
    const { clock, c, starts } = cadence(100);
    c.request();
    await clock.advance(0);
    c.request();
    c.stop();
    c.request();
    await clock.advance(1_000);
    expect(starts).toEqual([0]);
  });

  it('a pass that wrote nothing (no offset had moved) does not hold the next one back', async () => {
    const { clock, c, starts } = cadence(100, 0, false);
    c.request();
    await clock.advance(10);
    c.request();
    await clock.advance(0);
    expect(starts).toEqual([0, 10]);
  });

  it('rejects a negative gap', () => {
    expect(() => new CommitCadence({ clock: new FakeClock(), gapMs: -1, pass: async () => true })).toThrow(/commit gap/);
  });

  it('for any request times and pass durations: passes never overlap, start at least a gap apart, and every request is followed by a pass that begins after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 40 }),
        async (gapMs, passMs, steps) => {
          const { clock, c, starts, ends, maxInFlight } = cadence(gapMs, passMs);
          const requests: number[] = [];
          for (const step of steps) {
            await clock.advance(step);
            c.request();
            requests.push(clock.now());
          }
          await clock.advance(gapMs + passMs + 1);
          await flushPromises();
          expect(maxInFlight()).toBe(1);
          for (let i = 1; i < starts.length; i++) {
            expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(gapMs);
            expect(starts[i]!).toBeGreaterThanOrEqual(ends[i - 1]!);
          }
          // Nothing handled is left uncommitted: the last request has a pass at or after it.
          expect(starts[starts.length - 1]!).toBeGreaterThanOrEqual(requests[requests.length - 1]!);
          // And no pass without a request before it.
          expect(starts.length).toBeLessThanOrEqual(requests.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
