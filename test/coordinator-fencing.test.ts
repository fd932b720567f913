// Fencing against a real ZooKeeper: a stale leader cannot write
// `assignment`, a stale lease holder cannot commit `offsets/<r>`.
import { afterEach, describe, expect, it } from 'vitest';
import {
  createGroupConfig,
  GroupPaths,
  LeaseStore,
  OffsetStore,
  parseAssignmentHeader,
  parseOffset,
  readGroupSnapshot,
  readLeader,
  ZkSession,
  type Lease,
  type SessionState,
} from '../coordinator/index.js';
import { randomName, zkConnect } from './support/env.js';
import { StandinMember, Timeline } from './support/standin-worker.js';
import { Cleanups } from './support/cleanups.js';
import { expireSession } from './support/expire-session.js';
import { NodeProcess } from './support/node-process.js';
import { STANDIN_MEMBER_JS } from './support/paths.js';
import { sleep, waitFor } from './support/wait-for.js';

const SESSION_MS = 4_000;
const RANGES = 8;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

async function session(): Promise<ZkSession> {
  const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: SESSION_MS });
  await zk.start();
  cleanups.add(() => zk.close());
  return zk;
}

function nextState(zk: ZkSession, type: SessionState['type']): Promise<SessionState> {
  return new Promise((resolve) => {
    const on = (s: SessionState) => {
      if (s.type === type) {
        zk.off('state', on);
        resolve(s);
      }
    };
    zk.on('state', on);
  });
}

describe('coordinator: fencing a resumed zombie', () => {
  it('a SIGSTOPped leader and lease holder, resumed after its session expired, can neither write assignment nor commit offsets', async () => {
    const group = randomName('fence');
    const admin = await session();
    const paths = new GroupPaths(group);
    await createGroupConfig(admin, paths, { topic: `${group}-t`, ranges: RANGES });
    const timeline = new Timeline();

    const stale = new NodeProcess([STANDIN_MEMBER_JS, JSON.stringify({ connect: zkConnect(), group, id: 'stale', ranges: RANGES, sessionTimeoutMs: SESSION_MS })]);
    cleanups.add(() => stale.kill());
    await stale.waitLine((l) => l.type === 'leader-node', 30_000, 'stale leads');
    const members = await Promise.all(
      ['m1', 'm2'].map(async (id) => {
        const m = new StandinMember({ connect: zkConnect(), group, id, ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
        cleanups.add(() => m.close());
        return m.start();
      }),
    );
    const snap = await waitFor('converged with stale leading', async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.length === 3 && s.pollers.every((p) => p.ranges.length > 0) && s;
    });
    expect(snap.leader).toBe('stale');
    const staleRanges = snap.pollers.find((p) => p.id === 'stale')!.ranges;
    // Let the stale holder commit at least once, so its offsets exist.
    await sleep(700);

    const tStop = Date.now();
    stale.signal('SIGSTOP');
    const newLeader = await waitFor('a member leads', () => members.find((m) => m.coordinator!.isLeader), { timeoutMs: SESSION_MS * 3 });
    await waitFor('converged without stale', async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.every((p) => p.id !== 'stale') && s;
    }, { timeoutMs: SESSION_MS * 3 });
    console.log(`[measure] leader+holder SIGSTOP -> ${newLeader.id} leads and its ranges re-acquired: ${Date.now() - tStop} ms`);
    const before = await admin.getData(paths.assignment);

    stale.signal('SIGCONT');
    await stale.waitLine((l) => l.type === 'stale-assignment-write' && l.session === 'old', 15_000, 'stale write through the old session');
    await stale.waitLine((l) => l.type === 'stale-assignment-write' && l.session === 'new', 15_000, 'stale write through the new session');
    for (const r of staleRanges) {
      await stale.waitLine((l) => l.type === 'stale-commit' && l.range === r && l.session === undefined, 15_000, `stale commit of ${r}`);
      await stale.waitLine((l) => l.type === 'stale-commit' && l.range === r && l.session === 'new', 15_000, `stale commit of ${r} (new session)`);
    }
    const writes = stale.lines.filter((l) => l.type === 'stale-assignment-write');
    const commits = stale.lines.filter((l) => l.type === 'stale-commit');
    console.log('[fencing] stale writes:', JSON.stringify(writes.map((l) => [l.session, l.result])), 'stale commits:', JSON.stringify(commits.map((l) => [l.range, l.session ?? 'old', l.result])));
    for (const w of writes) expect(w.result).not.toBe('written');
    // Through the new session the check of the old leader node is what refuses it.
    expect(writes.find((w) => w.session === 'new')!.result).toBe('NO_NODE');
    for (const c of commits) expect(c.result).not.toBe('committed');
    expect(commits.filter((c) => c.session === 'new').every((c) => c.result === 'fenced')).toBe(true);

    // The stale process published nothing after resuming, and nothing it tried landed.
    await sleep(1_500);
    const tCont = stale.lines.find((l) => l.type === 'resumed')!.at as number;
    expect(stale.lines.filter((l) => l.type === 'published' && (l.at as number) >= tCont)).toEqual([]);
    const after = await admin.getData(paths.assignment);
    const record = parseAssignmentHeader(after.data, RANGES);
    expect(record.ok).toBe(true);
    if (record.ok) {
      expect(record.value.leader).not.toBe('stale');
      expect(record.value.epoch).toBeLessThan(999_999);
    }
    // It may rejoin as a new member (new epoch by the real leader), but never by its own hand.
    expect(after.stat.version >= before.stat.version).toBe(true);
    for (const r of staleRanges) {
      const off = await admin.getDataOrNull(paths.offset(r));
      if (off) {
        const parsed = parseOffset(off.data);
        expect(parsed.ok && parsed.value.offset).not.toBe('999999999');
      }
    }
    expect(await readLeader(admin, paths)).toBe(newLeader.id);
    expect(timeline.overlaps()).toEqual([]);
  });
});

describe('coordinator: fencing a stale Lease object', () => {
  it('a Lease object of an expired session is refused: no commit, and its release does not delete the new holder\'s lease', async () => {
    const group = randomName('lease');
    const a = await session();
    const b = await session();
    const paths = new GroupPaths(group);
    await createGroupConfig(a, paths, { topic: `${group}-t`, ranges: 2 });
    const leasesA = new LeaseStore(a, paths, 'a');
    const offsetsA = new OffsetStore(a, paths, leasesA, 'a');
    const res = await leasesA.tryAcquire(0, 1);
    expect('lease' in res).toBe(true);
    const leaseA = (res as { lease: Lease }).lease;
    expect(await offsetsA.commit(leaseA, 10)).toBe('committed');

    // B cannot take it while A holds it.
    const leasesB = new LeaseStore(b, paths, 'b');
    const offsetsB = new OffsetStore(b, paths, leasesB, 'b');
    const held = await leasesB.tryAcquire(0, 2);
    expect(held).toEqual({ heldBy: expect.objectContaining({ poller: 'a', epoch: 1 }) });

    const newSession = nextState(a, 'session');
    // A commit racing the expiry: whichever way the race goes, it must not land.
    const expiring = expireSession(a, zkConnect());
    const early = await offsetsA.commit(leaseA, 20).catch((err: Error) => `threw ${err.message}`);
    await expiring;
    const early2 = await offsetsA.commit(leaseA, 25).catch((err: Error) => `threw ${err.message}`);
    console.log(`[fencing] commits of an expiring lease: ${early} / ${early2}`);
    expect(early2).toBe('fenced');
    await newSession;
    expect(leasesA.isCurrent(leaseA)).toBe(false);
    expect(await offsetsA.commit(leaseA, 30)).toBe('fenced');

    // The lease vanished with the session; B takes it and commits.
    const res2 = await waitFor('B acquires', async () => {
      const r = await leasesB.tryAcquire(0, 2);
      return 'lease' in r && r.lease;
    });
    // The racing commit (20) may have reached the server before the session closed (even
    // when its reply was lost): then it is A's last commit as holder. Nothing after the expiry is.
    const resumed = await offsetsB.read(0);
    expect([10, 20]).toContain(resumed);
    if (early === 'committed') expect(resumed).toBe(20);
    expect(await offsetsB.commit(res2, 40)).toBe('committed');
    // A's stale lease: still no commit, and releasing it leaves B's lease alone.
    expect(await offsetsA.commit(leaseA, 50)).toBe('fenced');
    await leasesA.release(leaseA);
    const node = await b.getData(paths.lease(0));
    expect(b.ownsEphemeral(node.stat)).toBe(true);
    // Only the holder's commits landed: A's while it held the lease, then 40 (B); never 25, 30 or 50.
    const off = parseOffset((await b.getData(paths.offset(0))).data);
    expect(off.ok && off.value).toMatchObject({ offset: '40', poller: 'b', epoch: 2 });
  });
});
