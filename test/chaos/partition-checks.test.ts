// The chaos checker on made-up histories of network partitions and graceful
// stops: a poller cut off from ZooKeeper that goes on handling after its
// lease is gone is caught (self-fencing), partition recoveries are timed and
// told apart from disturbed ones, and a redelivery after a drain is counted.
import { describe, expect, it } from 'vitest';
import { check, type CheckInput } from './checker.js';
import type { ProducedRecord } from './producer.js';
import type { HandledRecord } from '../../poller/handlers/handled-record.js';
import type { FaultEvent, Incarnation, SessionExpiry } from './records.js';
import type { LeaseObs, OffsetObs } from './zk-observer.js';

const SESSION = 4000;

const produced = (id: number, offset: number, ackAt: number): ProducedRecord => ({ id, key: `k${id}`, seq: 0, partition: 0, offset, ackAt });
const handled = (poller: string, offset: number, id: number, start: number): HandledRecord => ({
  poller, inc: 0, pid: 1, range: 0, offset, key: `k${id}`, id, seq: 0, start, end: start + 5, attempt: 1,
});
const lease = (poller: string, czxid: number, ctime: number, goneAt?: number): LeaseObs => ({
  range: 0, poller, epoch: 1, czxid: BigInt(czxid), ctime, ...(goneAt !== undefined ? { goneAt } : {}),
});
const commit = (poller: string, offset: number, mzxid: number, mtime: number): OffsetObs => ({
  range: 0, offset: BigInt(offset), poller, epoch: 1, mzxid: BigInt(mzxid), mtime, version: 1,
});
const inc = (poller: string, o: Partial<Incarnation> = {}): Incarnation => ({ poller, inc: 0, pid: 1, startedAt: 0, pauses: [], ...o });

function input(o: { produced: ProducedRecord[]; handled: HandledRecord[]; leases: LeaseObs[]; offsets?: OffsetObs[]; incarnations: Incarnation[]; faults: FaultEvent[]; sessionExpiries?: SessionExpiry[] }): CheckInput {
  return {
    produced: o.produced,
    handled: o.handled,
    history: { leases: o.leases, offsets: o.offsets ?? [], epochs: [], leaders: [] },
    incarnations: o.incarnations,
    faults: o.faults,
    sessionTimeoutMs: SESSION,
    ...(o.sessionExpiries ? { sessionExpiries: o.sessionExpiries } : {}),
  };
}

/**
 * p1 holds range 0 and is cut off from ZooKeeper at 2000 for `holdMs`; its
 * lease vanishes with its session at 6200 and p2 handles the next message at
 * 2000 + recoveryMs. p1's own last start is at `lastP1Start`.
 */
function zkCut(o: { holdMs?: number; recoveryMs?: number; lastP1Start?: number; extra?: FaultEvent[] } = {}): CheckInput {
  const { holdMs = 6000, recoveryMs = 4600, lastP1Start = 1500, extra = [] } = o;
  const cut: FaultEvent = { n: 0, kind: 'zk-partition', target: 'p1#0', at: 2000, until: 2000 + holdMs };
  return input({
    produced: [produced(0, 0, 1400), produced(1, 1, 1450)],
    handled: [handled('p1', 0, 0, lastP1Start), handled('p2', 1, 1, 2000 + recoveryMs)],
    leases: [lease('p1', 10, 1000, 6200), lease('p2', 20, 6300)],
    offsets: [commit('p1', 1, 11, lastP1Start + 20)],
    incarnations: [inc('p1'), inc('p2')],
    faults: [cut, ...extra],
  });
}

describe('chaos checker: network partitions', () => {
  it('passes a poller cut off from ZooKeeper that stopped in time, and times the move of its ranges', () => {
    const r = check(zkCut());
    expect(r).toMatchObject({ lost: 0, duplicates: 0, zombieStarts: 0, overlapViolations: 0, outliers: [] });
    expect(r.zkPartitionRecoveryMs).toEqual({ n: 1, p50: 4600, max: 4600 });
    expect(r.zkPartitionRecoveryMsUndisturbed).toEqual({ n: 1, p50: 4600, max: 4600 });
  });

  it('counts a message started by a poller cut off from ZooKeeper after its lease was gone as a zombie start', () => {
    const r = check(zkCut({ lastP1Start: 6250 }));
    expect(r.zombieStarts).toBe(1);
    expect(r.examples['zombieStarts']?.[0]).toContain('cut off from ZooKeeper');
  });

  it('leaves a recovery that another failure overlapped out of the undisturbed figure and names it', () => {
    const zkKill: FaultEvent = { n: 1, kind: 'zk-kill', target: 'zookeeper-1', detail: 'leader', at: 3000, until: 5000 };
    const r = check(zkCut({ recoveryMs: 7000, extra: [zkKill] }));
    expect(r.zkPartitionRecoveryMs.max).toBe(7000);
    expect(r.zkPartitionRecoveryMsUndisturbed.n).toBe(0);
    expect(r.outliers).toEqual(['zk-partition of p1#0 recovered in 7000 ms; overlapping: zk-kill zookeeper-1 (leader) at +1000 ms']);
  });

  it('does not time a cut shorter than the session timeout (nothing is meant to move)', () => {
    expect(check(zkCut({ holdMs: 3000 })).zkPartitionRecoveryMs.n).toBe(0);
  });

  it('times a poller cut off from Kafka until its ranges are handled elsewhere, and reports ranges that never moved', () => {
    const cut: FaultEvent = { n: 0, kind: 'kafka-partition', target: 'p1#0', at: 2000, until: 9000 };
    const base = {
      produced: [produced(0, 0, 1400), produced(1, 1, 1450)],
      leases: [lease('p1', 10, 1000, 6900), lease('p2', 20, 6950)],
      offsets: [commit('p1', 1, 11, 1600)],
      incarnations: [inc('p1'), inc('p2')],
      faults: [cut],
    };
    const moved = check(input({ ...base, handled: [handled('p1', 0, 0, 1500), handled('p2', 1, 1, 7000)] }));
    expect(moved.kafkaPartitionRecoveryMs).toEqual({ n: 1, p50: 5000, max: 5000 });
    expect(moved.kafkaPartitionRecoveryMsUndisturbed.n).toBe(1);
    // p1's message in flight at the cut does not count; p1 handling the range again after the restore means it never moved.
    const stuck = check(input({ ...base, handled: [handled('p1', 0, 0, 1500), handled('p1', 1, 1, 2100), handled('p1', 2, 2, 9500)], produced: [...base.produced, produced(2, 2, 9400)] }));
    expect(stuck.kafkaPartitionRecoveryMs.n).toBe(0);
    expect(stuck.outliers).toEqual(['kafka-partition of p1#0: ranges 0 not handled by another poller while it was cut off; overlapping: none']);
    // A range with no message after the cut tells nothing.
    const idle = check(input({ ...base, handled: [handled('p1', 0, 0, 1500)], produced: [produced(0, 0, 1400)] }));
    expect(idle.kafkaPartitionRecoveryMs.n).toBe(0);
    expect(idle.outliers.filter((o) => o.startsWith('kafka-partition'))).toEqual([]);
  });
});

describe('chaos checker: duplicates after a graceful stop', () => {
  /** p1 is drained at 3000 after handling offset 0 (never committed); p2 handles it again at 4000. */
  function drained(sessionExpiries?: SessionExpiry[]): CheckInput {
    return input({
      produced: [produced(0, 0, 1400)],
      handled: [handled('p1', 0, 0, 1500), handled('p2', 0, 0, 4000)],
      leases: [lease('p1', 10, 1000, 3900), lease('p2', 20, 3950)],
      incarnations: [inc('p1', { endedBy: 'drain', stopAt: 3000, endedAt: 3950 }), inc('p2')],
      faults: [{ n: 0, kind: 'scale-in', target: 'p1#0', at: 3000, until: 4000 }],
      ...(sessionExpiries ? { sessionExpiries } : {}),
    });
  }

  it('counts a message handled again after a drain of a poller whose session lived', () => {
    const r = check(drained());
    expect(r.gracefulDuplicates).toBe(1);
    expect(r.duplicatesUnexplained).toBe(1);
  });

  it('does not count one message the producer wrote twice, each copy handled once while draining', () => {
    const r = check(
      input({
        produced: [produced(0, 0, 1400), produced(0, 1, 1400)],
        handled: [handled('p1', 0, 0, 3100), handled('p1', 1, 0, 3101)],
        leases: [lease('p1', 10, 1000, 3900)],
        incarnations: [inc('p1', { endedBy: 'drain', stopAt: 3000, endedAt: 3950 })],
        faults: [{ n: 0, kind: 'scale-in', target: 'p1#0', at: 3000, until: 4000 }],
      }),
    );
    expect(r).toMatchObject({ gracefulDuplicates: 0, duplicates: 0, producerDuplicates: 1 });
  });

  it('does not count it when the drained poller lost its session first (a crash point explains it)', () => {
    const r = check(drained([{ poller: 'p1', inc: 0, at: 3500, ranges: [0] }]));
    expect(r.gracefulDuplicates).toBe(0);
    expect(r.duplicatesUnexplained).toBe(0);
  });
});

describe('chaos checker: duplicates after a session lost to a partition', () => {
  it('dates the expiry back to the next lease\'s creation when the observer saw the old lease gone later than that', () => {
    // p1 handles offset 0 at 1900 (not committed) and is cut off from ZooKeeper at 2000; the server expires
    // its session and p2's lease is created at 6150, before the observer sees p1's gone (6200); p2 handles
    // offset 0 again at 6160. p1 logs the expiry on restore (8100).
    const r = check(input({
      produced: [produced(0, 0, 1400)],
      handled: [handled('p1', 0, 0, 1900), handled('p2', 0, 0, 6160)],
      leases: [lease('p1', 10, 1000, 6200), lease('p2', 20, 6150)],
      incarnations: [inc('p1'), inc('p2')],
      faults: [{ n: 0, kind: 'zk-partition', target: 'p1#0', at: 2000, until: 8000 }],
      sessionExpiries: [{ poller: 'p1', inc: 0, at: 8100, ranges: [0] }],
    }));
    expect(r).toMatchObject({ duplicates: 1, duplicatesExplained: 1, duplicatesUnexplained: 0, zombieStarts: 0 });
  });
});

describe('chaos checker: session expiries by cause', () => {
  it('puts an expiry a poller learns on restore from a zk-partition under cutOff', () => {
    const r = check(input({
      produced: [], handled: [], leases: [], incarnations: [inc('p1')],
      faults: [{ n: 0, kind: 'zk-partition', target: 'p1#0', at: 2000, until: 8000 }],
      sessionExpiries: [{ poller: 'p1', inc: 0, at: 8100 }],
    }));
    expect(r.sessionExpiries).toEqual({ n: 1, zombie: 0, zkLeaderFrozen: 0, cutOff: 1, other: 0 });
  });
});
