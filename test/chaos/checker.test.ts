// The chaos checker on small made-up histories: each must-be-0 check finds
// what it is for, and recoveries are told apart from ones that overlapped
// another failure.
import { describe, expect, it } from 'vitest';
import { check, type CheckInput } from './checker.js';
import type { ProducedRecord } from './producer.js';
import type { HandledRecord } from '../../poller/handlers/handled-record.js';
import type { FaultEvent, Incarnation } from './records.js';
import type { EpochObs, LeaderObs, LeaseObs, OffsetObs } from './zk-observer.js';

const SESSION = 4000;

const produced = (id: number, offset: number, ackAt: number, key = `k${id}`, seq = 0): ProducedRecord => ({ id, key, seq, partition: 0, offset, ackAt });
const handled = (poller: string, offset: number, id: number, start: number, end = start + 5, o: Partial<HandledRecord> = {}): HandledRecord => ({
  poller, inc: 0, pid: 1, range: 0, offset, key: `k${id}`, id, seq: 0, start, end, attempt: 1, ...o,
});
const lease = (poller: string, czxid: number, ctime: number, goneAt?: number): LeaseObs => ({
  range: 0, poller, epoch: 1, czxid: BigInt(czxid), ctime, ...(goneAt !== undefined ? { goneAt } : {}),
});
const commit = (poller: string, offset: number, mzxid: number, mtime: number): OffsetObs => ({
  range: 0, offset: BigInt(offset), poller, epoch: 1, mzxid: BigInt(mzxid), mtime, version: 1,
});
const inc = (poller: string, o: Partial<Incarnation> = {}): Incarnation => ({ poller, inc: 0, pid: 1, startedAt: 0, pauses: [], ...o });
const epoch = (n: number, mtime: number, owner: string): EpochObs => ({ epoch: n, leader: 'coord-1', mtime, owners: [owner] });

function input(o: Partial<CheckInput> & { leases?: LeaseObs[]; offsets?: OffsetObs[]; epochs?: EpochObs[]; leaders?: LeaderObs[] }): CheckInput {
  return {
    produced: o.produced ?? [],
    handled: o.handled ?? [],
    history: { leases: o.leases ?? [], offsets: o.offsets ?? [], epochs: o.epochs ?? [], leaders: o.leaders ?? [] },
    incarnations: o.incarnations ?? [],
    faults: o.faults ?? [],
    sessionTimeoutMs: SESSION,
  };
}

/** p1 holds range 0 and is SIGKILLed at 2000; p2 gets the range and handles again at 2000 + recoveryMs. */
function killed(recoveryMs: number, extra: FaultEvent[] = []): CheckInput {
  const kill: FaultEvent = { n: 0, kind: 'poller-kill', target: 'p1#0', at: 2000, until: 4000 };
  return input({
    produced: [produced(0, 0, 1400), produced(1, 1, 1900)],
    handled: [handled('p1', 0, 0, 1500), handled('p2', 1, 1, 2000 + recoveryMs)],
    leases: [lease('p1', 10, 1000, 2000 + recoveryMs - 300), lease('p2', 20, 2000 + recoveryMs - 100)],
    offsets: [commit('p1', 1, 11, 1600)],
    incarnations: [inc('p1', { endedBy: 'kill', endedAt: 2000 }), inc('p2')],
    faults: [kill, ...extra],
  });
}

describe('chaos checker: recovery times', () => {
  /** p1 holds range 0, idle from 1900, and is killed at 2000; p2 takes it at 6100; the next message is sent at 200000 and handled at `handledAt`. */
  const idleAtKill = (handledAt: number): CheckInput =>
    input({
      produced: [produced(0, 0, 1400), produced(1, 1, 200_000)],
      handled: [handled('p1', 0, 0, 1500), handled('p2', 1, 1, handledAt)],
      leases: [lease('p1', 10, 1000, 6000), lease('p2', 20, 6100)],
      incarnations: [inc('p1', { endedBy: 'kill', endedAt: 2000 }), inc('p2')],
      faults: [{ n: 0, kind: 'poller-kill', target: 'p1#0', at: 2000, until: 4000 }],
    });

  it('times a range idle at the kill from the send of its next message (a resize moved keys onto it), not from the kill', () => {
    expect(check(idleAtKill(200_030)).recovery.killMs).toEqual({ n: 1, p50: 30, max: 30 });
  });

  it('ends the recovery of an idle range when another poller took it over, if its next message was sent after that', () => {
    // The next message waited 30 s for something else (its partition's leader down).
    expect(check(idleAtKill(230_000)).recovery.killMs).toEqual({ n: 1, p50: 4100, max: 4100 });
  });

  it('times a coordinator kill to the next leader, also when the killed one restarted and leads again under a new node', () => {
    const kill: FaultEvent = { n: 0, kind: 'coordinator-kill', target: 'coord-1', at: 10_000, until: 12_000 };
    const leaders: LeaderObs[] = [
      { leader: 'coord-1', node: 'n_0000000001', at: 1_000 },
      // coord-2's session expired meanwhile and it re-entered behind the restarted coord-1
      { leader: 'coord-1', node: 'n_0000000004', at: 14_200 },
      { leader: 'coord-2', node: 'n_0000000005', at: 60_000 },
    ];
    expect(check(input({ faults: [kill], leaders })).recovery.coordinatorLeaderMs).toEqual({ n: 1, p50: 4_200, max: 4_200 });
    // Older records without nodes: only another id counts.
    const idsOnly = leaders.map(({ leader, at }) => ({ leader, at }));
    expect(check(input({ faults: [kill], leaders: idsOnly })).recovery.coordinatorLeaderMs).toEqual({ n: 1, p50: 50_000, max: 50_000 });
  });

  it('passes a clean kill -9 recovery and counts it as isolated', () => {
    const r = check(killed(4500));
    expect(r).toMatchObject({ lost: 0, duplicates: 0, overlapViolations: 0, zombieCommits: 0, offsetRegressions: 0, outliers: [] });
    expect(r.recovery.killMs).toEqual({ n: 1, p50: 4500, max: 4500 });
    expect(r.recovery.killMsIsolated).toEqual({ n: 1, p50: 4500, max: 4500 });
  });

  it.each(['zk-kill', 'zk-pause'] as const)('leaves a kill that overlapped a ZooKeeper leader fault (%s) out of the isolated figures and explains it', (kind) => {
    const zk: FaultEvent = { n: 1, kind, target: 'zookeeper-2', detail: 'leader', at: 5000, until: 7000 };
    const r = check(killed(8600, [zk]));
    expect(r.recovery.killMs.max).toBe(8600);
    expect(r.recovery.killMsIsolated.n).toBe(0);
    expect(r.recovery.killMsAwayFromZkElection.n).toBe(0);
    expect(r.outliers).toEqual([`kill -9 of p1#0 recovered in 8600 ms; overlapping: ${kind} zookeeper-2 (leader) at +3000 ms`]);
  });

  it('counts a new poller as disturbing until it took its first range, even when that is slow', () => {
    const scaleOut: FaultEvent = { n: 1, kind: 'scale-out', target: 'p9#0', at: -4000 };
    const base = killed(4500, [scaleOut]);
    // Within 5 s of its start the new poller has not registered: no lease yet, no overlap.
    expect(check(base).recovery.killMsIsolated.n).toBe(1);
    // Its first lease comes 7 s after it was started, during the kill's recovery.
    base.history.leases.push({ ...lease('p9', 15, 3000), range: 1 });
    expect(check(base).recovery.killMsIsolated.n).toBe(0);
  });

  it('does not let a slow handler elsewhere make a kill non-isolated, but reports a slow isolated recovery', () => {
    const slow: FaultEvent = { n: 1, kind: 'slow-handler', target: 'p2#0', at: 2500, until: 6000 };
    const r = check(killed(6000, [slow]));
    expect(r.recovery.killMsIsolated).toEqual({ n: 1, p50: 6000, max: 6000 });
    expect(r.outliers).toEqual(['kill -9 of p1#0 recovered in 6000 ms; overlapping: none']);
  });
});

describe('chaos checker: handoffs and must-be-0 checks', () => {
  it('measures a planned handoff, and leaves one redirected through a poller that never took the range out of the undisturbed figure', () => {
    const base = {
      produced: [produced(0, 0, 900), produced(1, 1, 2900)],
      handled: [handled('p1', 0, 0, 3000, 3050), handled('p2', 1, 1, 4650)],
      leases: [lease('p1', 10, 1000, 3100), lease('p2', 20, 4600)],
      incarnations: [inc('p1', { endedBy: 'drain', endedAt: 3200 }), inc('p2'), inc('p3')],
      faults: [{ n: 0, kind: 'scale-in', target: 'p1#0', at: 2900, until: 3200 } satisfies FaultEvent],
    };
    const direct = check(input({ ...base, epochs: [epoch(1, 500, 'p1'), epoch(2, 4500, 'p2')] }));
    expect(direct.handoffPauseMs).toEqual({ n: 1, p50: 1600, max: 1600 });
    expect(direct.handoffPauseMsIsolated).toEqual({ n: 1, p50: 1600, max: 1600 });
    expect(direct.outliers).toEqual(['handoff of range 0 p1#0 -> p2#0 paused 1600 ms; overlapping: scale-in p1#0 at -150 ms']);

    const redirected = check(input({ ...base, epochs: [epoch(1, 500, 'p1'), epoch(2, 3000, 'p3'), epoch(3, 4500, 'p2')] }));
    expect(redirected.handoffPauseMs.n).toBe(1);
    expect(redirected.handoffPauseMsIsolated.n).toBe(0);
    expect(redirected.outliers[0]).toContain('first assigned to p3, which never took it');

    // The observer missed epoch 2: whether it went elsewhere first is unknown, so it is not counted as undisturbed.
    const gap = check(input({ ...base, epochs: [epoch(1, 500, 'p1'), epoch(3, 4500, 'p2')] }));
    expect(gap.handoffPauseMsIsolated.n).toBe(0);
    expect(gap.outliers[0]).toContain('epoch 2 was never observed');

    // The new owner frozen while taking over: measured, but not undisturbed.
    const frozen = check(input({ ...base, epochs: [epoch(1, 500, 'p1'), epoch(2, 4500, 'p2')], incarnations: [base.incarnations[0]!, inc('p2', { pauses: [{ from: 3500, to: 4400 }] }), inc('p3')] }));
    expect(frozen.handoffPauseMs.n).toBe(1);
    expect(frozen.handoffPauseMsIsolated.n).toBe(0);

    // A slow handler is named among the causes of a slow handoff.
    const slow = check(input({ ...base, epochs: [epoch(1, 500, 'p1'), epoch(2, 4500, 'p2')], faults: [...base.faults, { n: 1, kind: 'slow-handler', target: 'p2#0', at: 4000, until: 6000 }] }));
    expect(slow.handoffPauseMsIsolated.n).toBe(0);
    expect(slow.outliers[0]).toContain('slow-handler p2#0');
  });

  it('finds a lost message, an overlap, a zombie commit and an offset regression', () => {
    const r = check(
      input({
        produced: [produced(0, 0, 100), produced(1, 1, 100), produced(2, 2, 100)],
        // p1 and p2 both handle range 0 between 1000 and 1100; id 2 is never handled.
        handled: [handled('p1', 0, 0, 1000, 1100), handled('p2', 1, 1, 1050, 1060)],
        leases: [lease('p1', 10, 500), lease('p2', 20, 1040)],
        // p1 commits after p2's lease was created; then the offset goes back.
        offsets: [commit('p2', 2, 21, 1070), commit('p1', 1, 22, 1080)],
        incarnations: [inc('p1'), inc('p2')],
      }),
    );
    expect(r.lost).toBe(1);
    expect(r.overlapViolations).toBe(1);
    expect(r.zombieCommits).toBe(1);
    expect(r.offsetRegressions).toBe(1);
  });
});

describe('chaos checker: duplicates after a crash', () => {
  it('explains a duplicate by a crash before the commit and flags one with no crash', () => {
    const dup = (crash: boolean) =>
      check(
        input({
          produced: [produced(0, 0, 100)],
          handled: [handled('p1', 0, 0, 1000, 1010), handled('p2', 0, 0, 6000, 6010)],
          leases: [lease('p1', 10, 500, 5800), lease('p2', 20, 5900)],
          incarnations: [inc('p1', crash ? { endedBy: 'kill', endedAt: 1500 } : {}), inc('p2')],
        }),
      );
    expect(dup(true)).toMatchObject({ duplicates: 1, duplicatesExplained: 1, duplicatesUnexplained: 0 });
    expect(dup(false)).toMatchObject({ duplicates: 1, duplicatesExplained: 0, duplicatesUnexplained: 1 });
  });

  it('counts a message handled three times as one duplicate, explained only if both redeliveries are', () => {
    // p1, p2 and p3 handle it in turn; p2 is killed after handling, p1 only if asked.
    const thrice = (firstCrashes: boolean) =>
      check(
        input({
          produced: [produced(0, 0, 100)],
          handled: [handled('p1', 0, 0, 1000, 1010), handled('p2', 0, 0, 6000, 6010), handled('p3', 0, 0, 12_000, 12_010)],
          leases: [lease('p1', 10, 500, 5800), lease('p2', 20, 5900, 11_800), lease('p3', 30, 11_900)],
          incarnations: [inc('p1', firstCrashes ? { endedBy: 'kill', endedAt: 1500 } : {}), inc('p2', { endedBy: 'kill', endedAt: 7000 }), inc('p3')],
        }),
      );
    expect(thrice(true)).toMatchObject({ handled: 3, handledUnique: 1, duplicates: 1, duplicatesExplained: 1, duplicatesUnexplained: 0 });
    // p2's redelivery follows no crash: the message is unexplained, although p3's follows p2's kill.
    const r = thrice(false);
    expect(r).toMatchObject({ duplicates: 1, duplicatesExplained: 0, duplicatesUnexplained: 1 });
    expect(r.examples['duplicatesUnexplained']).toHaveLength(1);
  });
});

describe('chaos checker: duplicates after a session expiry', () => {
  it('explains a duplicate by a session expiry the poller logged, and tells what expired it', () => {
    // p1 handles at 1000 and cannot commit: a frozen ZooKeeper leader expires its session on SIGCONT (5000).
    const freeze: FaultEvent = { n: 0, kind: 'zk-pause', target: 'zookeeper-1', detail: 'leader', at: 0, until: 5000 };
    const dup = (expiries: CheckInput['sessionExpiries']) =>
      check({
        ...input({
          produced: [produced(0, 0, 100)],
          handled: [handled('p1', 0, 0, 1000, 1010), handled('p2', 0, 0, 6000, 6010)],
          leases: [lease('p1', 10, 500, 5000), lease('p2', 20, 5900)],
          incarnations: [inc('p1'), inc('p2', { pauses: [{ from: 7000, to: 13000 }] })],
          faults: [freeze],
        }),
        sessionExpiries: expiries,
      });
    expect(dup([{ poller: 'p1', inc: 0, at: 5010 }])).toMatchObject({
      duplicatesUnexplained: 0,
      sessionExpiries: { n: 1, zombie: 0, zkLeaderFrozen: 1, other: 0 },
    });
    // An expiry of another poller explains nothing here; p2's comes after its own SIGSTOP (a zombie).
    expect(dup([{ poller: 'p2', inc: 0, at: 13010 }])).toMatchObject({
      duplicatesUnexplained: 1,
      sessionExpiries: { n: 1, zombie: 1, zkLeaderFrozen: 0, other: 0 },
    });
    // An expiry long after the freeze, with no pause of its own, is "other".
    expect(dup([{ poller: 'p1', inc: 0, at: 30_000 }]).sessionExpiries).toEqual({ n: 1, zombie: 0, zkLeaderFrozen: 0, cutOff: 0, other: 1 });
  });

  it('dates a logged expiry back to when the poller\'s lease vanished, for the ranges it logged lost to it', () => {
    // p1 handles at 1000 and cannot commit; the server expires its session at
    // 9556 (lease gone), p2 takes the range and handles at 9609, and p1 hears
    // of the expiry only at 9656 when it reaches a server (chaos seed 2).
    const dup = (expiry: NonNullable<CheckInput['sessionExpiries']>[number]) =>
      check({
        ...input({
          produced: [produced(0, 0, 100)],
          handled: [handled('p1', 0, 0, 1000, 1010), handled('p2', 0, 0, 9609, 9610)],
          leases: [lease('p1', 10, 500, 9556), lease('p2', 20, 9559)],
          incarnations: [inc('p1'), inc('p2')],
        }),
        sessionExpiries: [expiry],
      });
    expect(dup({ poller: 'p1', inc: 0, at: 9656, ranges: [0] })).toMatchObject({ duplicatesExplained: 1, duplicatesUnexplained: 0 });
    // Not when the poller did not say it lost that range to the expiry, nor when the lease went long before.
    expect(dup({ poller: 'p1', inc: 0, at: 9656, ranges: [] })).toMatchObject({ duplicatesUnexplained: 1 });
    expect(dup({ poller: 'p1', inc: 0, at: 9556 + 2 * SESSION + 1, ranges: [0] })).toMatchObject({ duplicatesUnexplained: 1 });
  });
});

describe('chaos checker: a message the producer wrote twice', () => {
  // Seed 1, 600 s with broker faults: the load producer wrote id 57791 (key-63, seq 902) at offsets 2706 and 2707.
  const twice = (handlings: HandledRecord[]) =>
    check(input({
      produced: [produced(7, 11, 900, 'k7', 3)],
      handled: handlings,
      leases: [lease('p1', 10, 0)],
      incarnations: [inc('p1')],
    }));
  const h = (offset: number, start: number) => handled('p1', offset, 7, start, start + 5, { key: 'k7', seq: 3 });

  it('is two records, each handled once: no duplicate and no order violation', () => {
    const r = twice([h(10, 1000), h(11, 1010)]);
    expect(r.producerDuplicates).toBe(1);
    expect(r.duplicates).toBe(0);
    expect(r.duplicatesUnexplained).toBe(0);
    expect(r.orderViolations).toBe(0);
    expect(r.lost).toBe(0);
  });

  it('still counts a second handling of one of those records as a duplicate, unexplained with no crash', () => {
    const r = twice([h(10, 1000), h(11, 1010), h(11, 1020)]);
    expect(r.duplicates).toBe(1);
    expect(r.duplicatesUnexplained).toBe(1);
  });
});

describe('chaos checker: a key\'s order across partitions (a resize moves keys)', () => {
  // Key k moves from partition 0 (seq 0, 1) to partition 1 (seq 2) at a resize.
  const run = (childStart: number) =>
    check(input({
      produced: [produced(0, 10, 100, 'k', 0), produced(1, 11, 100, 'k', 1), { ...produced(2, 0, 200, 'k', 2), partition: 1 }],
      handled: [
        handled('p1', 10, 0, 1000, 1005, { key: 'k', seq: 0 }),
        handled('p1', 11, 1, 1010, 1015, { key: 'k', seq: 1 }),
        handled('p2', 0, 2, childStart, childStart + 5, { key: 'k', seq: 2, range: 1 }),
      ],
      leases: [lease('p1', 10, 0), lease('p2', 11, 0)],
      incarnations: [inc('p1'), inc('p2')],
    }));

  it('passes a child that starts once its parent handled the key\'s earlier messages', () => {
    expect(run(1020).keyOrderViolations).toBe(0);
  });

  it('counts a child that starts before (each tenure alone looks in order)', () => {
    const r = run(1012);
    expect(r.keyOrderViolations).toBe(1);
    expect(r.orderViolations).toBe(0);
    expect(r.examples.keyOrderViolations![0]).toMatch(/key k: seq 2 started at 1012 \(partition 1\/0, p2#0\) before seq 1 ended at 1015/);
  });
});

describe('chaos checker: a key\'s order when its poller froze with a message in flight', () => {
  // p1 is SIGSTOPped at 1012 with seq 1 in flight (it ends when p1 resumes at
  // 7000); p2 takes the range over once p1's session expired.
  const run = (again: boolean) =>
    check(input({
      produced: [produced(0, 10, 100, 'k', 0), produced(1, 11, 100, 'k', 1), produced(2, 12, 100, 'k', 2)],
      handled: [
        handled('p1', 10, 0, 1000, 1005, { key: 'k', seq: 0 }),
        handled('p1', 11, 1, 1010, 7001, { key: 'k', seq: 1 }),
        ...(again ? [handled('p2', 11, 1, 5600, 5605, { key: 'k', seq: 1 })] : []),
        handled('p2', 12, 2, 5606, 5610, { key: 'k', seq: 2 }),
      ],
      leases: [lease('p1', 10, 0, 5500), lease('p2', 11, 5500)],
      incarnations: [inc('p1', { pauses: [{ from: 1012, to: 7000 }] }), inc('p2')],
    }));

  it('keeps order when the new owner handled the frozen message again before the next one', () => {
    expect(run(true).keyOrderViolations).toBe(0);
  });

  it('counts the next message started before anyone finished the frozen one', () => {
    expect(run(false).keyOrderViolations).toBe(1);
  });
});
