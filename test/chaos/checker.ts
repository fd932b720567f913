// The checks of a chaos run over what was produced, what the pollers' handler
// recorded, and the history observed in ZooKeeper. Pure: no I/O.
import type { ProducedRecord } from './producer.js';
import { incKey, type FaultEvent, type Handled, type Incarnation, type SessionExpiry } from './records.js';
import { influenceEnd as plannedEnd } from './schedule.js';
import type { History, LeaseObs } from './zk-observer.js';

export interface Stats {
  n: number;
  p50: number | null;
  max: number | null;
}

export interface CheckResult {
  produced: number;
  handled: number;
  handledUnique: number;
  /** Handled ids the producer has no acknowledgement for (a send that failed after writing). */
  handledUnacked: number;
  lost: number;
  /** Messages handled more than once (`handled - handledUnique` counts the extra handlings). */
  duplicates: number;
  /** Of those, the messages whose every redelivery follows a crash point of an earlier handler, and the others. */
  duplicatesExplained: number;
  duplicatesUnexplained: number;
  /**
   * Sessions of pollers that ZooKeeper expired, by cause: a poller frozen
   * past its session timeout (a zombie), a ZooKeeper leader frozen past it
   * (on SIGCONT it expires every session it could not track meanwhile), or
   * anything else (a client that failed to move off a frozen server...).
   */
  sessionExpiries: { n: number; zombie: number; zkLeaderFrozen: number; other: number };
  orderViolations: number;
  overlapViolations: number;
  /** Messages a zombie started after SIGCONT in a tenure it had lost (self-fencing). */
  zombieStarts: number;
  zombieCommits: number;
  offsetRegressions: number;
  recovery: {
    /** SIGKILL of a poller -> the last of its ranges handled again. */
    killMs: Stats;
    /** The same, leaving out kills within a session timeout of a ZooKeeper leader kill. */
    killMsAwayFromZkElection: Stats;
    /**
     * The same, leaving out kills that overlap another failure (any fault but
     * a slow handler whose influence window meets the kill's, see
     * `influenceMs`): there recovery is bounded by that failure too (a
     * ZooKeeper election restarts session expiry, a dead leader must expire
     * first, a frozen poller may be given the ranges), not by the session
     * timeout alone.
     */
    killMsIsolated: Stats;
    /** SIGSTOP of a poller -> the last of its ranges handled again by another poller. */
    zombieMs: Stats;
    zombieMsAwayFromZkElection: Stats;
    /** SIGKILL of the leading coordinator -> next assignment epoch. */
    coordinatorEpochMs: Stats;
    /** SIGKILL of the leading coordinator -> another leader elected. */
    coordinatorLeaderMs: Stats;
  };
  /** Planned handoffs (scale out/in, zombies coming back): end of the old owner's last message to the new owner's first, beyond message availability. */
  handoffPauseMs: Stats;
  /**
   * The same, leaving out handoffs during a ZooKeeper node kill, a coordinator
   * kill or a slow-handler spell, handoffs whose new owner was frozen while
   * taking over, and handoffs that were redirected: the range was first
   * assigned to a third poller that failed (frozen or killed) before it
   * could take it.
   */
  handoffPauseMsIsolated: Stats;
  /** Each recovery or handoff over its target, with the faults that overlapped it: for people. */
  outliers: string[];
  /** Up to 10 examples per must-be-0 check, for people. */
  examples: Record<string, string[]>;
}

export interface CheckInput {
  produced: ProducedRecord[];
  handled: Handled[];
  history: History;
  incarnations: Incarnation[];
  faults: FaultEvent[];
  sessionTimeoutMs: number;
  /** Session expiries the pollers logged (records from before they were read: none). */
  sessionExpiries?: SessionExpiry[];
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { n: 0, p50: null, max: null };
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: s[Math.floor((s.length - 1) / 2)] as number, max: s[s.length - 1] as number };
}

export function check(input: CheckInput): CheckResult {
  const { produced, handled, history, incarnations, faults } = input;
  const examples: Record<string, string[]> = {};
  const example = (kind: string, text: string) => {
    const list = (examples[kind] ??= []);
    if (list.length < 10) list.push(text);
  };
  const incs = new Map(incarnations.map((i) => [incKey(i.poller, i.inc), i]));
  const leasesByRange = new Map<number, LeaseObs[]>();
  for (const l of history.leases) {
    const list = leasesByRange.get(l.range) ?? [];
    list.push(l);
    leasesByRange.set(l.range, list);
  }
  for (const list of leasesByRange.values()) list.sort((a, b) => (a.czxid < b.czxid ? -1 : 1));
  /** The lease created last at or before server time t. */
  const leaseAt = (range: number, t: number): LeaseObs | undefined => {
    let best: LeaseObs | undefined;
    for (const l of leasesByRange.get(range) ?? []) if (l.ctime <= t) best = l;
    return best;
  };
  /** The lease whose create came last before zxid z. */
  const leaseBeforeZxid = (range: number, z: bigint): LeaseObs | undefined => {
    let best: LeaseObs | undefined;
    for (const l of leasesByRange.get(range) ?? []) if (l.czxid < z) best = l;
    return best;
  };
  const commitsByRange = new Map<number, History['offsets']>();
  for (const o of history.offsets) {
    const list = commitsByRange.get(o.range) ?? [];
    list.push(o);
    commitsByRange.set(o.range, list);
  }
  for (const list of commitsByRange.values()) list.sort((a, b) => (a.mzxid < b.mzxid ? -1 : 1));

  // ---- loss and duplicates ------------------------------------------------
  const producedIds = new Map(produced.map((p) => [p.id, p]));
  const byId = new Map<number, Handled[]>();
  for (const h of handled) {
    if (h.id < 0) continue;
    const list = byId.get(h.id);
    if (list) list.push(h);
    else byId.set(h.id, [h]);
  }
  let lost = 0;
  for (const p of produced) {
    if (!byId.has(p.id)) {
      lost++;
      example('lost', `id ${p.id} key ${p.key} seq ${p.seq} partition ${p.partition} offset ${p.offset}`);
    }
  }
  let handledUnacked = 0;
  for (const id of byId.keys()) if (!producedIds.has(id)) handledUnacked++;

  const expiriesOf = new Map<string, number[]>();
  for (const e of input.sessionExpiries ?? []) {
    const k = incKey(e.poller, e.inc);
    expiriesOf.set(k, [...(expiriesOf.get(k) ?? []), e.at]);
  }
  /**
   * Crash points of an incarnation: its SIGKILL, the start of each SIGSTOP,
   * and each session expiry it logged (its leases went with the session,
   * whatever it had handled but not committed is delivered again).
   */
  const crashPoints = (i: Incarnation | undefined): number[] => {
    if (!i) return [];
    const pts = i.pauses.map((p) => p.from);
    if (i.endedBy === 'kill' && i.endedAt !== undefined) pts.push(i.endedAt);
    pts.push(...(expiriesOf.get(incKey(i.poller, i.inc)) ?? []));
    return pts;
  };
  const zkLeaderFreezes = faults.filter((f) => f.kind === 'zk-pause' && f.detail === 'leader');
  const sessionExpiries = { n: 0, zombie: 0, zkLeaderFrozen: 0, other: 0 };
  for (const e of input.sessionExpiries ?? []) {
    sessionExpiries.n++;
    const inc = incs.get(incKey(e.poller, e.inc));
    // A zombie learns of its expiry when it resumes; a frozen ZooKeeper
    // leader expires sessions the moment it resumes.
    if (inc?.pauses.some((p) => p.from <= e.at && e.at <= p.to + input.sessionTimeoutMs)) sessionExpiries.zombie++;
    else if (zkLeaderFreezes.some((z) => z.until !== undefined && z.until - 1_000 <= e.at && e.at <= z.until + input.sessionTimeoutMs)) sessionExpiries.zkLeaderFrozen++;
    else sessionExpiries.other++;
  }
  /**
   * A poller hears of its session expiry only when it reaches a server again;
   * the server expired the session earlier, when its leases vanished, and
   * another poller may take a range in between. So for a range the poller
   * logged lost to an expiry, the crash point is when its lease vanished.
   */
  const expiredLeaseGone = (h: Handled): number[] => {
    const lease = leaseAt(h.range, h.start);
    if (!lease || lease.poller !== h.poller || lease.goneAt === undefined) return [];
    const gone = lease.goneAt;
    const heard = (input.sessionExpiries ?? []).some(
      (e) => e.poller === h.poller && e.inc === h.inc && e.ranges?.includes(h.range) && gone <= e.at && e.at - gone <= 2 * input.sessionTimeoutMs,
    );
    return heard ? [gone] : [];
  };
  const committedPast = (poller: string, range: number, offset: number, from: number, to: number): boolean =>
    (commitsByRange.get(range) ?? []).some((c) => c.poller === poller && c.offset > BigInt(offset) && c.mtime >= from && c.mtime <= to);

  let duplicates = 0;
  let explained = 0;
  let unexplained = 0;
  for (const [id, list] of byId) {
    if (list.length < 2) continue;
    duplicates++;
    list.sort((a, b) => a.start - b.start);
    // A message is explained when each of its redeliveries is.
    let allExplained = true;
    for (let j = 1; j < list.length; j++) {
      const hj = list[j] as Handled;
      const ok = list.slice(0, j).some((hi) => {
        const inc = incs.get(incKey(hi.poller, hi.inc));
        return [...crashPoints(inc), ...expiredLeaseGone(hi)].some(
          (c) => c >= hi.start && c <= hj.start && !committedPast(hi.poller, hi.range, hi.offset, hi.end, c),
        );
      });
      if (!ok) {
        allExplained = false;
        example('duplicatesUnexplained', `id ${id} range ${hj.range} offset ${hj.offset}: ${list.map((h) => `${incKey(h.poller, h.inc)}@${h.start}-${h.end}`).join(', ')}`);
      }
    }
    if (allExplained) explained++;
    else unexplained++;
  }

  // ---- tenures: which lease a handling ran under ----------------------------
  const tenureOf = (h: Handled): LeaseObs | undefined => {
    const l = leaseAt(h.range, h.start);
    return l && l.poller === h.poller ? l : undefined;
  };
  const pausesOf = (h: Handled) => incs.get(incKey(h.poller, h.inc))?.pauses ?? [];
  /** A handling of a tenure that began before a SIGSTOP and ended after it began. */
  const zombiePause = (h: Handled, lease: LeaseObs | undefined) =>
    pausesOf(h).find((p) => (lease ? lease.ctime < p.from : true) && h.end > p.from && h.start < p.to + 60_000);

  /** The lease h ran under was gone (seen deleted, or replaced by a newer lease) before h started. */
  const leaseLost = (h: Handled, lease: LeaseObs | undefined): boolean => {
    const inc = incs.get(incKey(h.poller, h.inc));
    if (!lease || (inc && lease.ctime < inc.startedAt)) return true;
    if (lease.goneAt !== undefined && lease.goneAt <= h.start) return true;
    return (leasesByRange.get(h.range) ?? []).some((l) => l.czxid > lease.czxid && l.ctime <= h.start);
  };

  // ---- per-key order within a tenure ---------------------------------------
  let orderViolations = 0;
  const lastSeq = new Map<string, { seq: number; offset: number }>();
  for (const h of handled) {
    if (h.key === null) continue;
    const lease = tenureOf(h);
    const k = `${incKey(h.poller, h.inc)}|${h.range}|${lease ? lease.czxid : 'none'}|${h.key}`;
    const prev = lastSeq.get(k);
    if (prev && (h.seq <= prev.seq || h.offset <= prev.offset)) {
      orderViolations++;
      example('orderViolations', `${incKey(h.poller, h.inc)} range ${h.range} key ${h.key}: seq ${h.seq} (offset ${h.offset}) after seq ${prev.seq} (offset ${prev.offset})`);
    }
    lastSeq.set(k, { seq: h.seq, offset: h.offset });
  }

  // ---- exclusivity --------------------------------------------------------
  let overlapViolations = 0;
  let zombieStarts = 0;
  const byRange = new Map<number, Handled[]>();
  for (const h of handled) {
    const list = byRange.get(h.range) ?? [];
    list.push(h);
    byRange.set(h.range, list);
  }
  for (const [range, list] of byRange) {
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    const latest = new Map<string, Handled>();
    for (const h of list) {
      const hk = incKey(h.poller, h.inc);
      const tenure = tenureOf(h);
      const hz = zombiePause(h, tenure);
      // A start after SIGCONT is a violation only if the lease was lost by then: when a
      // ZooKeeper leader election resets session expiry the paused session may survive.
      if (hz && h.start >= hz.to && leaseLost(h, tenure)) {
        zombieStarts++;
        example('zombieStarts', `${hk} range ${range} offset ${h.offset} started at ${h.start}, after SIGCONT at ${hz.to} in a tenure from before its SIGSTOP at ${hz.from}`);
      }
      for (const [gk, g] of latest) {
        if (gk === hk || g.end <= h.start) continue;
        if (hz || zombiePause(g, tenureOf(g))) continue; // a zombie's in-flight message (its commits are checked below)
        overlapViolations++;
        example('overlapViolations', `range ${range}: ${gk} offset ${g.offset} [${g.start},${g.end}] and ${hk} offset ${h.offset} [${h.start},${h.end}]`);
      }
      const prev = latest.get(hk);
      if (!prev || h.end > prev.end) latest.set(hk, h);
    }
  }

  // ---- commits: fenced and monotone ----------------------------------------
  let zombieCommits = 0;
  let offsetRegressions = 0;
  for (const [range, list] of commitsByRange) {
    let prev: bigint | undefined;
    for (const c of list) {
      const lease = leaseBeforeZxid(range, c.mzxid);
      if (!lease || lease.poller !== c.poller) {
        zombieCommits++;
        example('zombieCommits', `range ${range}: offset ${c.offset} by ${c.poller} at ${c.mtime} (zxid ${c.mzxid}) while the lease was ${lease ? `${lease.poller}'s (zxid ${lease.czxid})` : 'never created'}`);
      }
      if (prev !== undefined && c.offset < prev) {
        offsetRegressions++;
        example('offsetRegressions', `range ${range}: ${prev} -> ${c.offset} by ${c.poller} at ${c.mtime}`);
      }
      prev = c.offset;
    }
  }

  // ---- recovery -------------------------------------------------------------
  const heldAt = (t: number, poller: string): number[] => {
    const out: number[] = [];
    for (const [range, list] of leasesByRange) {
      let cur: LeaseObs | undefined;
      for (const l of list) if (l.ctime <= t) cur = l;
      if (cur && cur.poller === poller && (cur.goneAt === undefined || cur.goneAt > t)) out.push(range);
    }
    return out;
  };
  // `resumedAt`: a paused poller that came back, re-registered and got the
  // range again (rendezvous hashing tends to give it its old ranges) has
  // recovered it too; anything it started before that is a zombie start,
  // counted separately.
  const recoveryFrom = (t: number, poller: string, inc: number, resumedAt?: number): number | null => {
    let worst: number | null = null;
    for (const range of heldAt(t, poller)) {
      const next = (byRange.get(range) ?? []).find(
        (h) => h.start > t && (!(h.poller === poller && h.inc === inc) || (resumedAt !== undefined && h.start > resumedAt)),
      );
      if (next) worst = Math.max(worst ?? 0, next.start - t);
    }
    return worst;
  };
  // A ZooKeeper leader election restarts every session's expiry clock, so a
  // crash near a killed (or frozen) ZooKeeper leader legitimately takes longer to detect.
  const zkLeaderKills = faults.filter((f) => (f.kind === 'zk-kill' || f.kind === 'zk-pause') && f.detail === 'leader');
  const nearZkElection = (t: number): boolean =>
    zkLeaderKills.some((z) => z.at <= t + input.sessionTimeoutMs + 2_000 && (z.until ?? z.at) >= t - input.sessionTimeoutMs);
  /** A new poller matters until it took its first range (it may start slowly), at least for its influence window. */
  const firstLeaseAfter = (poller: string, t: number): number | undefined =>
    history.leases.filter((l) => l.poller === poller && l.ctime >= t).reduce<number | undefined>((m, l) => (m === undefined || l.ctime < m ? l.ctime : m), undefined);
  const influenceEnd = (f: FaultEvent): number => {
    const end = plannedEnd(f, input.sessionTimeoutMs);
    return f.kind === 'scale-out' ? Math.max(end, firstLeaseAfter(f.target.split('#')[0] as string, f.at) ?? end) : end;
  };
  const describe = (f: FaultEvent, t: number): string => `${f.kind} ${f.target}${f.detail ? ` (${f.detail})` : ''} at ${f.at - t >= 0 ? '+' : ''}${f.at - t} ms`;
  /** Other faults whose influence overlaps [from, to]; slow handlers only when asked (they move no range). */
  const overlapping = (self: FaultEvent | null, from: number, to: number, withSlow = false): FaultEvent[] =>
    faults.filter((g) => g !== self && (withSlow || g.kind !== 'slow-handler') && g.at <= to && influenceEnd(g) >= from);
  const killMax = input.sessionTimeoutMs + 1_000;
  const outliers: string[] = [];
  const killMs: number[] = [];
  const killMsClean: number[] = [];
  const killMsIsolated: number[] = [];
  const zombieMs: number[] = [];
  const zombieMsClean: number[] = [];
  for (const f of faults) {
    if (f.kind !== 'poller-kill' && f.kind !== 'poller-pause') continue;
    const [poller, incText] = f.target.split('#');
    const r = recoveryFrom(f.at, poller as string, Number(incText), f.kind === 'poller-pause' ? (f.until ?? undefined) : undefined);
    if (r === null) continue;
    (f.kind === 'poller-kill' ? killMs : zombieMs).push(r);
    if (!nearZkElection(f.at)) (f.kind === 'poller-kill' ? killMsClean : zombieMsClean).push(r);
    if (f.kind !== 'poller-kill') continue;
    const others = overlapping(f, f.at, influenceEnd(f));
    if (others.length === 0) killMsIsolated.push(r);
    if (r > killMax) {
      outliers.push(`kill -9 of ${f.target} recovered in ${r} ms; overlapping: ${others.map((g) => describe(g, f.at)).join(', ') || 'none'}`);
    }
  }
  const coordinatorEpochMs: number[] = [];
  const coordinatorLeaderMs: number[] = [];
  for (const f of faults) {
    if (f.kind !== 'coordinator-kill') continue;
    const e = history.epochs.find((x) => x.mtime > f.at);
    if (e) coordinatorEpochMs.push(e.mtime - f.at);
    // Another leader: another id, or the killed coordinator restarted and
    // elected under a new candidate node (records that name the node).
    const atKill = history.leaders.filter((x) => x.at <= f.at).pop();
    const l = history.leaders.find(
      (x) => x.at > f.at && x.leader !== null && (x.leader !== f.target || (x.node != null && atKill?.node != null && x.node !== atKill.node)),
    );
    if (l) coordinatorLeaderMs.push(l.at - f.at);
  }

  // ---- planned handoffs -------------------------------------------------------
  const ackAt = new Map(produced.map((p) => [p.id, p.ackAt]));
  const incarnationAt = (poller: string, t: number): Incarnation | undefined =>
    incarnations.find((i) => i.poller === poller && i.startedAt <= t && (i.endedAt === undefined || i.endedAt >= t));
  const pauses: number[] = [];
  const pausesIsolated: number[] = [];
  // Faults that stretch a planned handoff by themselves (ZooKeeper elections,
  // a leader change, handlers slowed on purpose), with a margin.
  const disturbing = faults.filter((f) => f.kind === 'zk-kill' || f.kind === 'zk-pause' || f.kind === 'coordinator-kill' || f.kind === 'slow-handler');
  const disturbed = (from: number, to: number): boolean =>
    disturbing.some((f) => f.at <= to + 1_000 && (f.until ?? f.at + input.sessionTimeoutMs) >= from - 1_000);
  /**
   * Why a handoff was not direct, if it was not: the range was assigned to a
   * third poller between the two leases, or the observer missed an epoch
   * there (an assignment overwritten before it was read).
   */
  const redirectedVia = (range: number, l1: LeaseObs, l2: LeaseObs): string | null => {
    let prevEpoch: number | undefined;
    for (const e of history.epochs) {
      if (e.mtime > l2.ctime) break;
      if (e.mtime >= l1.ctime) {
        if (prevEpoch !== undefined && e.epoch > prevEpoch + 1) return `epoch ${prevEpoch + 1} was never observed: the handoff may have gone elsewhere first`;
        const owner = e.owners[range];
        if (owner && owner !== l1.poller && owner !== l2.poller) return `first assigned to ${owner}, which never took it`;
      }
      prevEpoch = e.epoch;
    }
    return null;
  };
  for (const [range, list] of leasesByRange) {
    for (let k = 1; k < list.length; k++) {
      const l1 = list[k - 1] as LeaseObs;
      const l2 = list[k] as LeaseObs;
      const a = incarnationAt(l1.poller, l1.ctime);
      const b = incarnationAt(l2.poller, l2.ctime);
      if (!a || !b) continue;
      const crashed =
        (a.endedBy === 'kill' && (a.endedAt ?? Infinity) <= l2.ctime) ||
        a.pauses.some((p) => p.from <= l2.ctime && p.to >= l1.ctime);
      if (crashed) continue;
      const hs = byRange.get(range) ?? [];
      let lastA: Handled | undefined;
      for (const h of hs) if (h.poller === a.poller && h.inc === a.inc && h.start >= l1.ctime && h.start < l2.ctime && (!lastA || h.end > lastA.end)) lastA = h;
      const firstB = hs.find((h) => h.poller === b.poller && h.inc === b.inc && h.start >= l2.ctime);
      if (!lastA || !firstB) continue;
      const available = Math.max(lastA.end, ackAt.get(firstB.id) ?? 0);
      const pause = Math.max(0, firstB.start - available);
      pauses.push(pause);
      const detour = redirectedVia(range, l1, l2);
      // The new owner frozen (SIGSTOP) in the middle of taking the range over.
      const newOwnerFrozen = b.pauses.some((p) => p.from <= firstB.start && p.to >= lastA.end);
      if (!disturbed(lastA.end, firstB.start) && !detour && !newOwnerFrozen) pausesIsolated.push(pause);
      if (pause > 500) {
        const why = [
          ...(detour ? [detour] : []),
          ...overlapping(null, lastA.end - 1_000, firstB.start + 1_000, true).map((g) => describe(g, lastA.end)),
        ];
        outliers.push(`handoff of range ${range} ${incKey(a.poller, a.inc)} -> ${incKey(b.poller, b.inc)} paused ${pause} ms; overlapping: ${why.join(', ') || 'none'}`);
      }
    }
  }

  return {
    produced: produced.length,
    handled: handled.length,
    handledUnique: byId.size,
    handledUnacked,
    lost,
    duplicates,
    duplicatesExplained: explained,
    duplicatesUnexplained: unexplained,
    sessionExpiries,
    orderViolations,
    overlapViolations,
    zombieStarts,
    zombieCommits,
    offsetRegressions,
    recovery: {
      killMs: stats(killMs),
      killMsAwayFromZkElection: stats(killMsClean),
      killMsIsolated: stats(killMsIsolated),
      zombieMs: stats(zombieMs),
      zombieMsAwayFromZkElection: stats(zombieMsClean),
      coordinatorEpochMs: stats(coordinatorEpochMs),
      coordinatorLeaderMs: stats(coordinatorLeaderMs),
    },
    handoffPauseMs: stats(pauses),
    handoffPauseMsIsolated: stats(pausesIsolated),
    outliers,
    examples,
  };
}

/** The fields that must be 0. */
export const MUST_BE_ZERO = [
  'lost',
  'duplicatesUnexplained',
  'orderViolations',
  'overlapViolations',
  'zombieStarts',
  'zombieCommits',
  'offsetRegressions',
] as const;
