// The fault schedule: a pure function of (seed, duration, session timeout).
// Faults come in rounds; each round is a shuffled permutation of every kind,
// so every kind occurs once per round (one round per 30 s of run).
//
// Faults overlap freely, except that in three rounds out of four the poller
// kill is "quiet": nothing else that can move ranges or delay a failover is
// still going on when it lands, and nothing starts until its recovery is due.
// Those kills measure recovery from one failure (the target); the
// others, and every other kind, keep testing overlapping failures (a kill
// during a ZooKeeper election, a new owner frozen before it acquires...).
// Network partitions of a poller are quiet in one round out of four each
// (zk-partition in rounds 4k+1, kafka-partition in rounds 4k+2), for the
// same reason: their recovery figures' targets are for undisturbed cases.
import { between, mulberry32, shuffle } from './prng.js';
import { BROKER_FAULT_KINDS, brokerFaultHoldMs, brokerFaultInfluenceMs, isBrokerFault } from './broker-faults-plan.js';

export const FAULT_KINDS = [
  'poller-kill',
  'coordinator-kill',
  'poller-pause',
  'zk-kill',
  'zk-pause',
  'scale-out',
  'scale-in',
  'slow-handler',
  ...BROKER_FAULT_KINDS,
  'zk-partition',
  'kafka-partition',
] as const;
/** Not in every round: a resize doubles the group's ranges, so a run has only a few (see `withResizes`). */
export type FaultKind = (typeof FAULT_KINDS)[number] | 'resize';

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
  /** A poller kill or partition laid out with no other failover around it (see above). */
  quiet?: boolean;
}

/**
 * How long after it starts a fault can still move ranges or delay a failover:
 * its hold plus the time the group needs to notice (a session expiry is due
 * at most one session timeout plus a ZooKeeper tick after the last heartbeat)
 * and to settle. A slow handler only slows handling; it moves nothing.
 * Shared by the schedule (to lay out quiet kills) and the checker (to tell
 * which recoveries overlapped another failure).
 */
export function influenceMs(kind: FaultKind, holdMs: number, sessionTimeoutMs: number): number {
  switch (kind) {
    case 'poller-kill':
      return sessionTimeoutMs + 2_000;
    case 'coordinator-kill':
      return Math.max(holdMs, sessionTimeoutMs) + 2_000;
    case 'poller-pause':
      return holdMs + 2_000;
    case 'zk-kill':
      return holdMs + 3_000;
    case 'zk-pause':
      // A frozen ZooKeeper leader is noticed by its followers only after
      // syncLimit ticks; then an election. Clients leave a frozen server
      // after the read timeout.
      return holdMs + 3_000;
    case 'scale-out':
      return 5_000;
    case 'scale-in':
      return 4_000;
    case 'slow-handler':
      return 0;
    case 'broker-kill':
    case 'broker-pause':
      return brokerFaultInfluenceMs(kind, holdMs);
    case 'zk-partition':
      // Cut past the session timeout, the session expires and the ranges
      // move; on restore the poller learns it and joins again (a rebalance).
      return holdMs + 3_000;
    case 'kafka-partition':
      // Past the fetch-stall timeout the poller marks itself unhealthy and
      // its ranges move; on restore it is healthy again and takes ranges back.
      return holdMs + 3_000;
    case 'resize':
      // Every poller grows to the new range count (one that cannot starts
      // again); the new ranges wait at their barriers besides.
      return holdMs + 6_000;
  }
}

/**
 * The fetch-stall timeout the chaos pollers run with (`--fetch-stall-timeout`):
 * the session timeout, half the default, so that a kafka-partition's
 * recovery fits in a round.
 */
export function chaosFetchStallMs(sessionTimeoutMs: number): number {
  return sessionTimeoutMs;
}

/**
 * How long a quiet fault keeps other faults away after it lands: until its
 * recovery is due (not its whole hold: a partition still held after its
 * ranges have moved measures nothing more).
 */
export function quietMs(kind: FaultKind, holdMs: number, sessionTimeoutMs: number): number {
  switch (kind) {
    case 'zk-partition':
      return sessionTimeoutMs + 2_000;
    case 'kafka-partition':
      return chaosFetchStallMs(sessionTimeoutMs) + 3_000;
    default:
      return influenceMs(kind, holdMs, sessionTimeoutMs);
  }
}

/**
 * Whether a fault can move ranges between pollers. A slow handler only slows
 * handling; a Kafka broker fault stalls the ranges whose partitions it led
 * until their leaders move, but moves no range. Quiet kills wait only for
 * faults that move ranges (the checker still leaves out kills that overlapped
 * any fault from its single-failure figures).
 */
export function movesRanges(kind: FaultKind): boolean {
  return kind !== 'slow-handler' && !isBrokerFault(kind);
}

/** When a fault that happened stops mattering: its end (restart, SIGCONT) or its influence window, whichever is later. */
export function influenceEnd(f: { kind: FaultKind; at: number; until?: number }, sessionTimeoutMs: number): number {
  const end = f.until ?? f.at;
  return Math.max(end, f.at + influenceMs(f.kind, end - f.at, sessionTimeoutMs));
}

export interface ScheduleOptions {
  seed: number;
  /** Fault window length. */
  windowMs: number;
  sessionTimeoutMs: number;
  /** How many times the group doubles during the run (default none). */
  resizes?: number;
}

export function rounds(durationSec: number): number {
  return Math.max(1, Math.floor(durationSec / 30));
}

export function buildSchedule(o: ScheduleOptions & { rounds: number }): PlannedFault[] {
  const rng = mulberry32(o.seed);
  const kinds: FaultKind[] = [];
  for (let r = 0; r < o.rounds; r++) kinds.push(...shuffle(rng, FAULT_KINDS));
  const faults = kinds.map((kind, n) => draw(rng, o, kind, n, Math.floor(n / FAULT_KINDS.length)));
  // Quiet faults push later faults back; shrink the spacing (to a third at
  // most) until all fit in the window. Failing that, quiet partitions become
  // ordinary ones, then quiet kills too (a run of well under a minute has none).
  const fits = (laid: PlannedFault[]) => (laid[laid.length - 1]?.atMs ?? 0) <= o.windowMs;
  const even = o.windowMs / kinds.length;
  const quietOnly = (keep: (kind: FaultKind) => boolean): Drawn[] => faults.map(({ quiet, ...f }) => (quiet && keep(f.kind) ? { ...f, quiet } : f));
  for (const plan of [faults, quietOnly((kind) => kind === 'poller-kill')]) {
    for (let gap = even; gap >= even / 3; gap *= 0.95) {
      const laid = layout(plan, gap, o.sessionTimeoutMs);
      if (fits(laid)) return withResizes(laid, o.resizes ?? 0);
    }
  }
  return withResizes(layout(quietOnly(() => false), even, o.sessionTimeoutMs), o.resizes ?? 0);
}

/**
 * Adds `count` resizes, spread evenly over the run: each lands just before a
 * fault that is not quiet (so after any quiet spell before it; a quiet fault
 * after it waits for the resize's influence to pass). Drawn from no random
 * numbers: the rest of a seed's schedule stays what it was.
 */
function withResizes(laid: PlannedFault[], count: number): PlannedFault[] {
  if (count === 0 || laid.length === 0) return laid;
  const out = [...laid];
  for (let k = 1; k <= count; k++) {
    let i = Math.floor((laid.length * k) / (count + 1));
    while (i < laid.length - 1 && laid[i]!.quiet) i++;
    out.push({ n: laid.length + k - 1, atMs: laid[i]!.atMs, kind: 'resize', pick: 0, holdMs: 0, delayMs: 0 });
  }
  // Stable: a resize goes before the fault it shares its time with.
  return out.sort((a, b) => a.atMs - b.atMs || (a.kind === 'resize' ? -1 : 0) - (b.kind === 'resize' ? -1 : 0));
}

/** Everything about one fault but its time; `jitter` places it inside its slot. */
type Drawn = Omit<PlannedFault, 'atMs'> & { jitter: number };

/** One round in this many has a quiet zk-partition, and one a quiet kafka-partition. */
export const QUIET_PARTITION_EVERY = 4;

/** Whether a fault of this kind is quiet in round r (counted from 0). */
function quietIn(kind: FaultKind, r: number): boolean {
  if (kind === 'poller-kill') return r % 4 !== 3;
  if (kind === 'zk-partition') return r % QUIET_PARTITION_EVERY === 1;
  if (kind === 'kafka-partition') return r % QUIET_PARTITION_EVERY === 3;
  return false;
}

function draw(rng: () => number, o: ScheduleOptions, kind: FaultKind, n: number, round: number): Drawn {
  const jitter = 0.1 + rng() * 0.7;
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
    case 'zk-pause':
      // Longer than the session timeout: the sessions of the clients it
      // served survive only if those clients move to another server.
      holdMs = o.sessionTimeoutMs + between(rng, 1_000, 3_000);
      break;
    case 'slow-handler':
      holdMs = between(rng, 2_000, 6_000);
      delayMs = between(rng, 50, 250);
      break;
    case 'broker-kill':
    case 'broker-pause':
      holdMs = brokerFaultHoldMs(rng, kind);
      break;
    case 'zk-partition': {
      // Mostly past the session timeout (the session expires: self-fencing,
      // failover); sometimes shorter (the session lives on: the poller must
      // pause and resume without losing anything).
      const short = rng() < 0.25;
      holdMs = short ? between(rng, 1_000, o.sessionTimeoutMs - 500) : o.sessionTimeoutMs + between(rng, 1_000, 3_000);
      break;
    }
    case 'kafka-partition':
      holdMs = chaosFetchStallMs(o.sessionTimeoutMs) + between(rng, 2_000, 5_000);
      break;
    default:
      rng();
  }
  return { n, kind, pick, holdMs, delayMs, jitter, ...(quietIn(kind, round) ? { quiet: true } : {}) };
}

/**
 * Faults land a little after their planned time (a coordinator kill first
 * asks who leads) and last a little longer (a restart takes time): room for
 * that. The run also waits for a real quiet spell before a quiet kill.
 */
export const QUIET_MARGIN_MS = 1_500;

/**
 * Slot n starts at n * gap. A quiet kill waits for earlier faults to be over
 * and holds later ones back; whatever it delays shifts every later fault by
 * as much, so the spacing between the others is kept.
 */
function layout(faults: Drawn[], gap: number, sessionTimeoutMs: number): PlannedFault[] {
  let shift = 0;
  let busyUntil = 0;
  let quietUntil = 0;
  return faults.map(({ jitter, ...f }) => {
    let atMs = Math.round((f.n + jitter) * gap) + shift;
    const earliest = f.quiet ? Math.max(quietUntil, busyUntil + QUIET_MARGIN_MS) : quietUntil;
    if (atMs < earliest) {
      shift += earliest - atMs;
      atMs = earliest;
    }
    if (f.quiet) quietUntil = atMs + quietMs(f.kind, f.holdMs, sessionTimeoutMs) + QUIET_MARGIN_MS;
    if (movesRanges(f.kind)) busyUntil = Math.max(busyUntil, atMs + influenceMs(f.kind, f.holdMs, sessionTimeoutMs));
    return { ...f, atMs };
  });
}
