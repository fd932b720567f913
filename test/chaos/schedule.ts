// The fault schedule: a pure function of (seed, duration, session timeout).
// Faults come in rounds; each round is a shuffled permutation of every kind,
// so every kind occurs once per round (one round per 30 s of run).
import { between, mulberry32, shuffle } from './prng.js';

export const FAULT_KINDS = [
  'poller-kill',
  'coordinator-kill',
  'poller-pause',
  'zk-kill',
  'scale-out',
  'scale-in',
  'slow-handler',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** Index in the schedule. */
  n: number;
  /** Milliseconds after the start of the fault window. */
  atMs: number;
  kind: FaultKind;
  /** A uniform draw in [0,1) used to pick the target among those eligible at run time. */
  pick: number;
  /** How long the fault lasts (kill -> restart, pause -> resume, slow period); 0 when not applicable. */
  holdMs: number;
  /** Handler latency during a slow-handler fault. */
  delayMs: number;
}

export interface ScheduleOptions {
  seed: number;
  /** Fault window length. */
  windowMs: number;
  sessionTimeoutMs: number;
}

export function rounds(durationSec: number): number {
  return Math.max(1, Math.floor(durationSec / 30));
}

export function buildSchedule(o: ScheduleOptions & { rounds: number }): PlannedFault[] {
  const rng = mulberry32(o.seed);
  const kinds: FaultKind[] = [];
  for (let r = 0; r < o.rounds; r++) kinds.push(...shuffle(rng, FAULT_KINDS));
  const gap = o.windowMs / kinds.length;
  return kinds.map((kind, n) => {
    const atMs = Math.round((n + 0.1 + rng() * 0.7) * gap);
    const pick = rng();
    let holdMs = 0;
    let delayMs = 0;
    switch (kind) {
      case 'poller-kill':
        holdMs = between(rng, 1_000, 4_000);
        break;
      case 'coordinator-kill':
        holdMs = between(rng, 1_000, 5_000);
        break;
      case 'poller-pause':
        // Longer than the session timeout: the poller comes back as a zombie.
        holdMs = o.sessionTimeoutMs + between(rng, 1_000, 3_000);
        break;
      case 'zk-kill':
        holdMs = between(rng, 1_000, 4_000);
        break;
      case 'slow-handler':
        holdMs = between(rng, 2_000, 6_000);
        delayMs = between(rng, 50, 250);
        break;
      default:
        rng();
    }
    return { n, atMs, kind, pick, holdMs, delayMs };
  });
}
