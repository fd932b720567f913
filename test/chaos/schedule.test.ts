import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSchedule, FAULT_KINDS, influenceMs, movesRanges, rounds, type PlannedFault } from './schedule.js';

const SESSION = 4000;
const plan = (seed: number, durationSec: number) =>
  buildSchedule({ seed, windowMs: durationSec * 1000 - 13_000, sessionTimeoutMs: SESSION, rounds: rounds(durationSec) });

/** Faults other than `f` that can move ranges whose influence meets f's. */
function overlapping(s: PlannedFault[], f: PlannedFault): PlannedFault[] {
  const end = (g: PlannedFault) => g.atMs + influenceMs(g.kind, g.holdMs, SESSION);
  return s.filter((g) => g !== f && movesRanges(g.kind) && g.atMs <= end(f) && end(g) >= f.atMs);
}

describe('chaos schedule', () => {
  it('is a function of the seed', () => {
    expect(plan(7, 120)).toEqual(plan(7, 120));
    expect(plan(7, 120)).not.toEqual(plan(8, 120));
  });

  it('has every kind once per round, in time order, inside the window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 20, max: 900 }), (seed, durationSec) => {
        const s = plan(seed, durationSec);
        expect(s).toHaveLength(rounds(durationSec) * FAULT_KINDS.length);
        for (const kind of FAULT_KINDS) expect(s.filter((f) => f.kind === kind)).toHaveLength(rounds(durationSec));
        for (let i = 1; i < s.length; i++) expect(s[i]!.atMs).toBeGreaterThanOrEqual(s[i - 1]!.atMs);
        expect(s[s.length - 1]!.atMs).toBeLessThanOrEqual(Math.max(5_000, durationSec * 1000 - 13_000));
      }),
      { numRuns: 200 },
    );
  });

  it('gives three kills in four a window where no other failure can move ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const s = plan(seed, 600);
        const kills = s.filter((f) => f.kind === 'poller-kill');
        const quiet = kills.filter((f) => f.quiet);
        expect(quiet).toHaveLength(15);
        for (const k of quiet) expect(overlapping(s, k).map((g) => `${g.kind}@${g.atMs}`), `kill at ${k.atMs}`).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('still lets the other kills overlap other failures', () => {
    const freeKills = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((seed) => {
      const s = plan(seed, 600);
      return s.filter((f) => f.kind === 'poller-kill' && !f.quiet).map((k) => overlapping(s, k).length);
    });
    expect(freeKills.filter((n) => n > 0).length).toBeGreaterThan(freeKills.length / 2);
  });
});
