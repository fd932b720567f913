// The partition faults in the chaos schedule: every kind 20 times in 600 s,
// and the quiet ones (one zk-partition and one kafka-partition in four
// rounds) have the span until their recovery is due to themselves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSchedule, chaosFetchStallMs, influenceMs, movesRanges, quietMs, rounds, type PlannedFault } from './schedule.js';

const SESSION = 4000;
const plan = (seed: number, durationSec: number) =>
  buildSchedule({ seed, windowMs: durationSec * 1000 - 13_000, sessionTimeoutMs: SESSION, rounds: rounds(durationSec) });

describe('chaos schedule: network partitions', () => {
  it('cuts a poller off from ZooKeeper and from Kafka 20 times each in 600 s, mostly past the timeout that moves its ranges', () => {
    const s = plan(1, 600);
    const zk = s.filter((f) => f.kind === 'zk-partition');
    const kafka = s.filter((f) => f.kind === 'kafka-partition');
    expect(zk).toHaveLength(20);
    expect(kafka).toHaveLength(20);
    expect(zk.filter((f) => f.holdMs > SESSION).length).toBeGreaterThan(10);
    expect(zk.some((f) => f.holdMs < SESSION)).toBe(true);
    for (const f of kafka) expect(f.holdMs).toBeGreaterThan(chaosFetchStallMs(SESSION) + 1_000);
  });

  it('gives quiet partitions a span with no other failure until their recovery is due', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const s = plan(seed, 600);
        const quiet = s.filter((f) => f.quiet && f.kind !== 'poller-kill');
        // A schedule that cannot fit them drops them (and keeps the quiet kills).
        if (quiet.length === 0) return;
        expect(quiet.filter((f) => f.kind === 'zk-partition')).toHaveLength(5);
        expect(quiet.filter((f) => f.kind === 'kafka-partition')).toHaveLength(5);
        const end = (g: PlannedFault) => g.atMs + influenceMs(g.kind, g.holdMs, SESSION);
        for (const q of quiet) {
          const until = q.atMs + quietMs(q.kind, q.holdMs, SESSION);
          // Faults that move no range (slow handlers, broker faults: the range stays with its owner) may overlap.
          const others = s.filter((g) => g !== q && movesRanges(g.kind) && g.atMs <= until && end(g) >= q.atMs);
          expect(others.map((g) => `${g.kind}@${g.atMs}`), `${q.kind} at ${q.atMs}`).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });
});
