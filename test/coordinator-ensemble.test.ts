// A private 3-node ZooKeeper ensemble: kill and restart the ZooKeeper leader
// (found with `srvr`, "Mode: leader") and then a follower while members and
// their coordinator candidates run. They carry on; no range is held twice.
// Then a follower is frozen (SIGSTOP) for longer than the session timeout:
// the members connected to it must move to another server in time.
import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startZooKeeper, newRunDir, type ZooKeeperCluster } from '../infra/index.js';
import { fourLetterWord } from '../infra/index.js';
import { createGroupConfig, GroupPaths, readGroupSnapshot, ZkSession, type GroupSnapshot } from '../coordinator/index.js';
import { randomName } from './support/env.js';
import { StandinMember, Timeline } from './support/standin-worker.js';
import { Cleanups } from './support/cleanups.js';
import { sleep, waitFor } from './support/wait-for.js';

const SESSION_MS = 4_000;
const RANGES = 12;

let cluster: ZooKeeperCluster | undefined;
let runDir = '';
const closers = new Cleanups();

beforeAll(async () => {
  runDir = newRunDir();
  mkdirSync(runDir, { recursive: true });
  cluster = await startZooKeeper({ runDir, nodes: 3 });
}, 180_000);

afterAll(async () => {
  await closers.run();
  await cluster?.close();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
}, 60_000);

async function mode(port: number): Promise<string> {
  const text = await fourLetterWord('127.0.0.1', port, 'srvr').catch(() => '');
  return /Mode: (\S+)/.exec(text)?.[1] ?? 'down';
}

/** Session ids (hex, as ZkSession.sessionId) connected to the node on `port`, from `cons`. */
async function sessionsOn(port: number): Promise<Set<string>> {
  const text = await fourLetterWord('127.0.0.1', port, 'cons').catch(() => '');
  return new Set([...text.matchAll(/sid=0x([0-9a-f]+)/g)].map((m) => m[1]!.padStart(16, '0')));
}

/** A new group on the ensemble, with an admin session to read it. */
async function newGroup(prefix: string) {
  const zk = cluster!;
  const group = randomName(prefix);
  const paths = new GroupPaths(group);
  const admin = new ZkSession({ connect: zk.connectString, sessionTimeoutMs: SESSION_MS });
  await admin.start();
  closers.add(() => admin.close());
  await createGroupConfig(admin, paths, { topic: `${group}-t`, ranges: RANGES });
  return { zk, group, paths, admin, timeline: new Timeline() };
}

describe('coordinator: ZooKeeper ensemble node killed', () => {
  it('members and coordinator ride out killing and restarting the ZooKeeper leader and a follower', async () => {
    const { zk, group, paths, admin, timeline } = await newGroup('ens');
    const members = await Promise.all(
      ['e1', 'e2', 'e3'].map(async (id) => {
        const m = new StandinMember({ connect: zk.connectString, group, id, ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
        closers.add(() => m.close());
        return m.start();
      }),
    );
    const sessions = new Map<string, string[]>();
    for (const m of members) m.zk.on('state', (s) => sessions.set(m.id, [...(sessions.get(m.id) ?? []), s.type]));
    const converged = async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.length === 3 && s.leader !== null && s;
    };
    const first = (await waitFor('converged on the ensemble', converged, { timeoutMs: 30_000 })) as GroupSnapshot;

    // Sample the leases throughout: never two holders (the znode can't have two; the workers are checked too).
    let sampling = true;
    const samples: GroupSnapshot[] = [];
    const sampler = (async () => {
      while (sampling) {
        const s = await readGroupSnapshot(admin, paths).catch(() => null);
        if (s) samples.push(s);
        await sleep(100);
      }
    })();

    const report: string[] = [];
    for (const which of ['leader', 'follower'] as const) {
      const modes = await Promise.all(zk.nodes.map((n) => mode(n.clientPort)));
      const target = which === 'leader' ? await zk.leader() : zk.nodes[modes.indexOf('follower')]!;
      expect(await mode(target.clientPort)).toBe(which);
      const t0 = Date.now();
      await target.kill();
      // Wait for the remaining two to form a quorum again, then for the group to be converged.
      await waitFor('quorum of two', async () => {
        const ms = await Promise.all(zk.nodes.filter((n) => n !== target).map((n) => mode(n.clientPort)));
        return ms.includes('leader');
      }, { timeoutMs: 30_000, everyMs: 100 });
      const tQuorum = Date.now() - t0;
      await waitFor('converged after the kill', converged, { timeoutMs: 30_000 });
      const tConverged = Date.now() - t0;
      target.launch();
      await target.ready();
      await waitFor('converged after the restart', converged, { timeoutMs: 30_000 });
      report.push(`${which} (zk node ${target.id}) killed: quorum again after ${tQuorum} ms, group converged ${tConverged} ms, restarted and rejoined after ${Date.now() - t0} ms`);
    }
    sampling = false;
    await sampler;
    console.log(`[measure] ${report.join('; ')}; session events: ${JSON.stringify(Object.fromEntries(sessions))}`);

    const last = (await waitFor('converged at the end', converged, { timeoutMs: 30_000 })) as GroupSnapshot;
    // No range ever had two workers at once.
    expect(timeline.overlaps()).toEqual([]);
    // Sessions survived (the quorum came back well within the session timeout): nothing moved, nothing was lost.
    const expired = [...sessions.values()].some((t) => t.includes('expired'));
    expect(expired).toBe(false);
    expect(last.assignment.map((r) => r.owner)).toEqual(first.assignment.map((r) => r.owner));
    expect(timeline.events.filter((e) => e.kind !== 'start')).toEqual([]);
    expect(last.epoch).toBe(first.epoch);
    expect(last.leader).toBe(first.leader);
    // Every sample: each lease holder is the assigned poller (or the range is momentarily unreadable, never someone else).
    for (const s of samples) for (const r of s.assignment) if (r.owner !== null) expect(r.owner).toBe(r.assigned);
    expect(samples.length).toBeGreaterThan(10);
    // A leader existed at the end, and every member still follows.
    expect(last.leader).not.toBeNull();
    for (const m of members) expect(m.assigned.ownedRanges()).toEqual(last.pollers.find((p) => p.id === m.id)!.ranges);
    // The ensemble still works for a new member.
    const e4 = new StandinMember({ connect: zk.connectString, group, id: 'e4', ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
    closers.add(() => e4.close());
    await e4.start();
    await waitFor('converged with e4', async () => {
      const s = await readGroupSnapshot(admin, paths);
      return s.converged && s.pollers.length === 4;
    }, { timeoutMs: 30_000 });
    expect(timeline.overlaps()).toEqual([]);
  });
});

describe('coordinator: ZooKeeper ensemble node frozen', () => {
  it('members connected to a frozen ZooKeeper server move to another before their sessions expire', async () => {
    const { zk, group, paths, admin, timeline } = await newGroup('frz');
    const members: StandinMember[] = [];
    const sessions = new Map<string, string[]>();
    // The client picks a random server: add members until a follower serves at least one.
    let target: (typeof zk.nodes)[number] | undefined;
    let frozen: StandinMember[] = [];
    for (let i = 1; i <= 8 && !target; i++) {
      const m = new StandinMember({ connect: zk.connectString, group, id: `f${i}`, ranges: RANGES, timeline, sessionTimeoutMs: SESSION_MS });
      closers.add(() => m.close());
      await m.start();
      m.zk.on('state', (s) => sessions.set(m.id, [...(sessions.get(m.id) ?? []), s.type]));
      members.push(m);
      if (members.length < 3) continue;
      for (const node of zk.nodes) {
        if ((await mode(node.clientPort)) !== 'follower') continue;
        const on = await sessionsOn(node.clientPort);
        const served = members.filter((x) => on.has(x.zk.sessionId));
        if (served.length > 0) {
          target = node;
          frozen = served;
          break;
        }
      }
    }
    expect(target).toBeDefined();
    const converged = async () => {
      const s = await readGroupSnapshot(admin, paths);
      const assigned = new Set(s.assignment.map((r) => r.assigned));
      return s.converged && s.pollers.length === members.length && assigned.size === members.length && s.leader !== null && s;
    };
    const first = (await waitFor('converged', converged, { timeoutMs: 30_000 })) as GroupSnapshot;

    const t0 = Date.now();
    target!.pause();
    try {
      await sleep(SESSION_MS + 2_000);
    } finally {
      target!.resume();
    }
    const moved = frozen.map((m) => `${m.id}: ${JSON.stringify(sessions.get(m.id) ?? [])}`);
    const last = (await waitFor('converged after the freeze', converged, { timeoutMs: 30_000 })) as GroupSnapshot;
    const epochs = (s: GroupSnapshot) => `epoch ${s.epoch} (${s.reason}, leader ${s.leader})`;
    console.log(`[measure] zk node ${target!.id} frozen for ${Date.now() - t0} ms; members it served: ${moved.join(', ')}; before ${epochs(first)}, after ${epochs(last)}`);

    // The members on the frozen server reconnected elsewhere with the same session; nobody expired, nothing moved.
    for (const m of frozen) expect(sessions.get(m.id)).toEqual(['disconnected', 'reconnected']);
    expect([...sessions.values()].some((t) => t.includes('expired'))).toBe(false);
    expect(last.epoch).toBe(first.epoch);
    expect(last.assignment.map((r) => r.owner)).toEqual(first.assignment.map((r) => r.owner));
    expect(timeline.overlaps()).toEqual([]);
    // No worker stopped or lost a range because of the freeze.
    expect(timeline.events.filter((e) => e.kind !== 'start' && e.at >= t0)).toEqual([]);
  });
});
