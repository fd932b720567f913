import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { pino, type Logger } from 'pino';
import type { AcquireResult, MemberAssignment, CommitResult, Lease } from '../coordinator/index.js';
import { RangeOwnership, type LeasePort, type OffsetPort, type RangeConsumer } from './range-ownership.js';
import { FakeClock, flushPromises } from '../test/support/fake-clock.js';

// Every ZooKeeper and Kafka call of the state machine waits in `calls` until
// the test lets it land, so a test can choose the order in which a session
// loss, a reassignment, a periodic commit and the replies all happen.

interface Call {
  what: string;
  land: () => void;
}

class World {
  readonly clock = new FakeClock();
  readonly calls: Call[] = [];
  /** The session as the server knows it: requests of an older one fail when they land. */
  serverSession = 1;
  /** The session as the client knows it (it hears of an expiry some time after the server acted on it). */
  clientSession = 1;
  /** leases/0 on the server: who holds it, and under which session. */
  leaseNode: { holder: string; session: number } | null = null;
  committed: number | null = null;
  readonly commitsLanded: number[] = [];
  /**
   * Tokens of the consumers running. This consumer is careless on purpose: a
   * start that lands after a loss still runs, so only RangeOwnership stands
   * between a dead acquisition and a consumer that keeps consuming.
   */
  readonly running = new Set<number>();
  ownership: RangeOwnership | null = null;
  /** The next this many ZooKeeper requests fail when they land (connection trouble; the session lives). */
  failNext = 0;
  /** The next this many requests take effect on the server, but their reply is lost (a timeout). */
  loseReplies = 0;
  private next = 100;

  /** A ZooKeeper request sent now; when it lands, it fails if its session has expired meanwhile. */
  private pend<T>(what: string, result: () => T): Promise<T> {
    const session = this.clientSession;
    return new Promise((resolve, reject) =>
      this.calls.push({
        what,
        land: () => {
          if (this.failNext > 0) {
            this.failNext--;
            return reject(new Error('CONNECTION_LOSS'));
          }
          if (this.loseReplies > 0 && session === this.serverSession) {
            this.loseReplies--;
            result();
            return reject(new Error('OPERATION_TIMEOUT'));
          }
          return session === this.serverSession ? resolve(result()) : reject(new Error('SESSION_EXPIRED'));
        },
      }),
    );
  }

  /** A consumer call (Kafka side): lands whatever happened to the session. */
  private later<T>(what: string, result: () => T): Promise<T> {
    return new Promise((resolve) => this.calls.push({ what, land: () => resolve(result()) }));
  }

  readonly leases: LeasePort = {
    tryAcquire: (range, epoch) => {
      const session = this.clientSession;
      return this.pend<AcquireResult>('tryAcquire', () => {
        if (this.leaseNode) return { heldBy: { poller: this.leaseNode.holder, epoch, at: '' } };
        this.leaseNode = { holder: 'p1', session };
        return { lease: { range, epoch, version: 0, sessionGeneration: session, released: false } };
      });
    },
    waitForRelease: (_range, timeoutMs, signal) => this.clock.sleep(timeoutMs, signal),
    release: async (lease) => {
      if (lease.sessionGeneration !== this.clientSession) {
        lease.released = true; // it died with its session
        return;
      }
      await this.pend('release', () => {
        if (this.leaseNode?.session === lease.sessionGeneration) this.leaseNode = null;
        lease.released = true;
      });
    },
    isCurrent: (lease) => !lease.released && lease.sessionGeneration === this.clientSession,
    dropOrphan: () =>
      this.pend('dropOrphan', () => {
        if (this.leaseNode?.holder === 'p1' && this.leaseNode.session === this.serverSession) this.leaseNode = null;
      }),
  };

  readonly offsets: OffsetPort = {
    read: () => this.pend('read', () => this.committed),
    commit: (lease: Lease, offset: number) =>
      this.pend<CommitResult>('commit', () => {
        // The server checks the lease when the request lands.
        if (this.leaseNode?.session !== lease.sessionGeneration) return 'fenced';
        if (this.committed !== null && offset <= this.committed) return 'unchanged';
        this.committed = offset;
        this.commitsLanded.push(offset);
        return 'committed';
      }),
  };

  readonly consumer: RangeConsumer = {
    start: (_range, _from, token) => this.later('start', () => void this.running.add(token)),
    stop: () =>
      this.later('stop', () => {
        this.running.clear();
        return this.next;
      }),
    lost: (_range, token) => {
      if (token === undefined) this.running.clear();
      else this.running.delete(token);
    },
    committable: () => (this.running.size > 0 ? ++this.next : null),
  };

  /** The server expires the session (deleting our lease); the client hears of it when that notice lands. */
  expire(): void {
    this.serverSession++;
    if (this.leaseNode?.holder === 'p1') this.leaseNode = null;
    this.calls.push({
      what: 'expired-notice',
      land: () => {
        this.clientSession = this.serverSession;
        this.ownership?.sessionExpired();
      },
    });
  }

  /** Lets calls land (oldest first) and time pass until nothing is left to do. */
  async settle(): Promise<void> {
    for (let i = 0, quiet = 0; i < 200 && quiet < 12; i++) {
      await flushPromises();
      const call = this.calls.shift();
      if (call) {
        call.land();
        quiet = 0;
      } else {
        await this.clock.advance(1_000);
        quiet++;
      }
    }
  }
}

/** An assignment of `epoch` that gives range 0 to `owner`. */
const assignment = (epoch: number, owner: string): MemberAssignment => ({ epoch, ranges: new Set(owner === 'p1' ? [0] : []) });

function newOwnership(world: World, logger?: Logger): RangeOwnership {
  return (world.ownership = new RangeOwnership({
    ...(logger ? { logger } : {}),
    pollerId: 'p1',
    leases: world.leases,
    offsets: world.offsets,
    consumer: world.consumer,
    leaseWaitMs: 4_000,
    commitIntervalMs: 500,
    clock: world.clock,
  }));
}

/** `lease-deleted`: someone deletes leases/0 from outside while our session lives (the next commit is fenced). */
type Event = 'expire' | 'lease-deleted' | 'reassign-away' | 'reassign-back' | 'commit';

/**
 * Runs `events` interleaved with the landing of pending calls as `choices`
 * say (each choice: fire the next event, or land pending call n), starting
 * from an owned range (`fromOwned`) or from one still being acquired.
 */
async function run(events: Event[], choices: number[], fromOwned: boolean) {
  const world = new World();
  const ownership = newOwnership(world);
  const log: string[] = [];
  for (const e of ['acquired', 'released', 'lost', 'committed'] as const) ownership.on(e, () => log.push(e));
  ownership.start();
  ownership.follow(assignment(1, 'p1'));
  if (fromOwned) await world.settle();
  let wanted = 'p1';
  const queue = [...events];
  const fire = (e: Event) => {
    if (e === 'expire') world.expire();
    else if (e === 'lease-deleted') world.leaseNode = null;
    else if (e === 'commit') void ownership.commitAll();
    else {
      wanted = e === 'reassign-away' ? 'p2' : 'p1';
      ownership.follow(assignment(e === 'reassign-away' ? 2 : 3, wanted));
    }
  };
  for (const choice of choices) {
    await flushPromises();
    if (queue.length > 0 && (choice % 3 === 0 || world.calls.length === 0)) fire(queue.shift()!);
    else if (world.calls.length > 0) world.calls.splice(choice % world.calls.length, 1)[0]!.land();
  }
  for (const e of queue) fire(e);
  await world.settle();
  return { world, ownership, log, wanted };
}

function checkSettled({ world, ownership, wanted }: Awaited<ReturnType<typeof run>>): void {
  if (wanted === 'p1') {
    // Ours: owned, under a lease of the live session, with exactly one consumer running.
    expect(ownership.stateOf(0)).toBe('owned');
    expect(world.leaseNode).toEqual({ holder: 'p1', session: world.serverSession });
    expect(world.running.size).toBe(1);
  } else {
    // Not ours: nothing held, nothing running.
    expect(ownership.stateOf(0)).toBe('idle');
    expect(world.leaseNode).toBeNull();
    expect(world.running.size).toBe(0);
  }
  // Offsets only move forward.
  expect([...world.commitsLanded].sort((a, b) => a - b)).toEqual(world.commitsLanded);
}

describe('RangeOwnership (fake clock, fake stores): acquire and hand over', () => {
  it('acquires an assigned range, commits it periodically, and hands it over with a final commit', async () => {
    const world = new World();
    const ownership = newOwnership(world);
    ownership.start();
    ownership.follow(assignment(1, 'p1'));
    await world.settle();
    expect(ownership.stateOf(0)).toBe('owned');
    expect(world.commitsLanded.length).toBeGreaterThan(0);
    ownership.follow(assignment(2, 'p2'));
    await world.settle();
    expect(ownership.stateOf(0)).toBe('idle');
    expect(world.leaseNode).toBeNull();
    expect(world.committed).toBe(Math.max(...world.commitsLanded));
    await ownership.close();
  });

  it('waits for another holder to let go, then takes the range from the committed offset', async () => {
    const world = new World();
    world.leaseNode = { holder: 'p0', session: 1 };
    world.committed = 7;
    let from: number | null = -1;
    const start = world.consumer.start;
    world.consumer.start = (r, f, t) => ((from = f), start(r, f, t));
    const ownership = newOwnership(world);
    ownership.follow(assignment(1, 'p1'));
    await world.settle();
    expect(ownership.stateOf(0)).toBe('acquiring');
    world.leaseNode = null;
    await world.settle();
    expect(ownership.stateOf(0)).toBe('owned');
    expect(from).toBe(7);
  });
});

describe('RangeOwnership (fake clock, fake stores): a create whose reply was lost', () => {
  it('an acquisition given up after its lease create timed out deletes the lease the create made', async () => {
    const world = new World();
    const ownership = newOwnership(world);
    world.loseReplies = 1;
    ownership.follow(assignment(1, 'p1'));
    await flushPromises();
    world.calls.shift()!.land(); // the create lands, its reply is lost
    await flushPromises();
    expect(world.leaseNode).toEqual({ holder: 'p1', session: 1 });
    ownership.follow(assignment(2, 'p2')); // moved away before the retry
    await world.settle();
    expect(ownership.stateOf(0)).toBe('idle');
    // Left there, it would keep p2 out until our session ends.
    expect(world.leaseNode).toBeNull();
  });
});

describe('RangeOwnership (fake clock, fake stores): session loss and close', () => {
  it('a session lost while the consumer starts drops what that start began and acquires again', async () => {
    const world = new World();
    const ownership = newOwnership(world);
    ownership.follow(assignment(1, 'p1'));
    while (!world.calls.some((c) => c.what === 'start')) {
      world.calls.shift()!.land();
      await flushPromises();
    }
    world.expire();
    // The start lands first, then the client hears of the expiry: the consumer began under a dead lease.
    world.calls.find((c) => c.what === 'start')!.land();
    await flushPromises();
    await world.settle();
    checkSettled({ world, ownership, log: [], wanted: 'p1' });
  });

  it('close() releases every range and waits for releases under way', async () => {
    const world = new World();
    const ownership = newOwnership(world);
    ownership.follow(assignment(1, 'p1'));
    await world.settle();
    let closed = false;
    const closing = ownership.close(1_000).then(() => (closed = true));
    await flushPromises();
    expect(closed).toBe(false); // the stop is still pending
    await world.settle();
    await closing;
    expect(world.leaseNode).toBeNull();
    expect(world.running.size).toBe(0);
  });

  it('a session loss, a lease deleted, a reassignment and a commit, in every order against every landing of the calls', async () => {
    const events = fc.shuffledSubarray<Event>(['expire', 'lease-deleted', 'reassign-away', 'commit', 'reassign-back'], { minLength: 1 });
    await fc.assert(
      fc.asyncProperty(events, fc.array(fc.nat(11), { maxLength: 20 }), fc.boolean(), async (evs, choices, fromOwned) => {
        const result = await run(evs, choices, fromOwned);
        checkSettled(result);
        // A range is reported lost only by a session loss or a fenced commit.
        if (!evs.includes('expire') && !evs.includes('lease-deleted')) expect(result.log).not.toContain('lost');
        const closing = result.ownership.close();
        await result.world.settle();
        await closing;
        expect(result.world.leaseNode).toBeNull();
        expect(result.world.running.size).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

/** A logger whose lines the test reads. */
function capturedLog(): { logger: Logger; lines: { msg: string; range?: number; why?: string }[] } {
  const lines: { msg: string; range?: number; why?: string }[] = [];
  return { logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }), lines };
}

const gaveUpFinalCommit = (lines: { msg: string; range?: number }[]) => lines.some((l) => l.range === 0 && l.msg.startsWith('final commit did not land'));

/** An owned range 0, and a close whose end the test can see. */
async function ownedThenClosing(stopTimeoutMs: number, prepare: (world: World) => void = () => undefined) {
  const world = new World();
  const { logger, lines } = capturedLog();
  const ownership = newOwnership(world, logger);
  ownership.start();
  ownership.follow(assignment(1, 'p1'));
  await world.settle();
  expect(ownership.stateOf(0)).toBe('owned');
  prepare(world);
  const began = world.clock.now();
  const closing = { done: false, at: 0 };
  void ownership.close(stopTimeoutMs).then(() => Object.assign(closing, { done: true, at: world.clock.now() }));
  return { world, ownership, lines, began, closing };
}

describe('RangeOwnership (fake clock, fake stores): a stop ends within its budget', () => {
  // Budget: the stop limit given to close(), then finalCommitMs (default: leaseWaitMs, 4 s here).

  it('ZooKeeper silent through the whole stop: close() ends when the budget is spent and says duplicates may follow', async () => {
    const { world, ownership, lines, began, closing } = await ownedThenClosing(1_000);
    // Kafka answers (the consumer stops); the commit sent to ZooKeeper never lands.
    await flushPromises();
    world.calls.splice(world.calls.findIndex((c) => c.what === 'stop'), 1)[0]!.land();
    await world.clock.advance(1_000 + 4_000 - 1);
    expect(closing.done).toBe(false);
    expect(world.calls.map((c) => c.what)).toContain('commit'); // the final one (a periodic one may wait too)
    expect(world.calls.every((c) => c.what === 'commit')).toBe(true);
    await world.clock.advance(1);
    expect(closing).toEqual({ done: true, at: began + 5_000 });
    expect(ownership.stateOf(0)).toBe('idle');
    expect(world.running.size).toBe(0);
    expect(world.leaseNode).not.toBeNull(); // it goes with the session, closed next
    expect(gaveUpFinalCommit(lines)).toBe(true);
  });

  it('final commits that keep failing while the session lives are retried until the budget is spent, not for ever', async () => {
    const { world, lines, began, closing } = await ownedThenClosing(0, (w) => (w.failNext = Infinity));
    await world.settle();
    expect(closing.done).toBe(true);
    expect(closing.at - began).toBeLessThanOrEqual(4_000);
    expect(world.commitsLanded).not.toContain(world.committed! + 1);
    expect(gaveUpFinalCommit(lines)).toBe(true);
    expect(lines.filter((l) => l.msg === 'release not complete yet; retrying while our session lives').length).toBeGreaterThan(1);
  });

  it('final commits that fail a few times land within the budget: no duplicates', async () => {
    const { world, ownership, lines, closing } = await ownedThenClosing(0, (w) => (w.failNext = 3));
    await world.settle();
    expect(closing.done).toBe(true);
    expect(world.leaseNode).toBeNull();
    expect(world.committed).toBe(Math.max(...world.commitsLanded));
    expect(ownership.stateOf(0)).toBe('idle');
    expect(gaveUpFinalCommit(lines)).toBe(false);
  });

  it('a handoff retrying while its session lives is bounded too once the process stops', async () => {
    const world = new World();
    const { logger, lines } = capturedLog();
    const ownership = newOwnership(world, logger);
    ownership.follow(assignment(1, 'p1'));
    await world.settle();
    world.failNext = Infinity;
    ownership.follow(assignment(2, 'p2'));
    await world.settle();
    // A handoff does not give up while the session lives (the lease would block the next owner).
    expect(ownership.stateOf(0)).toBe('releasing');
    const began = world.clock.now();
    let closedAt = -1;
    void ownership.close(0).then(() => (closedAt = world.clock.now()));
    await world.settle();
    expect(closedAt).toBeGreaterThanOrEqual(began);
    expect(closedAt - began).toBeLessThanOrEqual(4_000);
    expect(ownership.stateOf(0)).toBe('idle');
    expect(gaveUpFinalCommit(lines)).toBe(true);
  });
});
