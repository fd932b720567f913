/**
 * One design measured end to end by bench/scale.ts: a fresh 3-node ZooKeeper
 * ensemble, the group created as `ringleader create` does, the members
 * started over worker processes, then start-up, steady state, joins, leaves
 * and kills; everything stopped at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { ZkSession } from '../coordinator/index.js';
import { sleep } from '../coordinator/index.js';
import { startZooKeeper, type ZooKeeperCluster } from '../infra/index.js';
import { memberIds, type ScaleArgs } from './scale-args.js';
import { measureJoins, measureKills, measureLeaves, type ChangeSeries, type ChangeTiming } from './scale-changes.js';
import { Fleet } from './scale-fleet.js';
import { preciseNow, type WorkerSettings } from './scale-protocol.js';
import { median, spread, type Spread } from './scale-stats.js';
import type { BuiltTree } from './scale-tree.js';
import { largestZnode, ServerUsageMeter, writesPerSecond } from './scale-zk-probe.js';

export interface SideResult {
  members: number;
  ranges: number;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  workers: number;
  rate: number;
  /** First member start to the last member started. */
  startAllMs: number;
  /** Null when start-up did not converge within START_TIMEOUT_MS (see startStuck). */
  startConvergeMs: number | null;
  /** Member starts tried again after a failure (an overloaded ensemble drops connections). */
  memberStartRetries: number;
  /** Ranges never held by their owner at start-up, with what their lease znode says. */
  startStuck?: { pending: number; examples: { range: number; owner: string | null; lease: string | null }[] };
  joinConvergeMs: Spread | null;
  leaveConvergeMs: Spread | null;
  killConvergeMs: Spread | null;
  convergeTimeouts: { join: number; leave: number; kill: number };
  bytesReadPerRebalance: { unaffected: number | null; affected: number | null; samples: { unaffected: number; affected: number } };
  zkWritesPerSec: number | null;
  writesPerMemberPerInterval: number | null;
  maxZnodeBytes: number;
  maxZnodePath: string;
  znodes: number;
  assignMs: number;
  zkPeakRssBytes: number | null;
  zkCpuSeconds: number;
  zkAverageCores: number;
  wallSeconds: number;
}

export interface SideContext {
  log: (line: string) => void;
  /** Registers what a signal handler must stop; returns the unregister function. */
  onAbort: (stop: () => void | Promise<void>) => () => void;
}

const GROUP = 'bench-scale';
const ROOT = '/ringleader';
const ASSIGN_RUNS = 5;
const START_TIMEOUT_MS = 180_000;
const STUCK_EXAMPLES = 5;

/** What one run holds open, for the teardown and a signal handler. */
interface Running {
  cluster: ZooKeeperCluster | null;
  admin: ZkSession | null;
  fleet: Fleet | null;
}

export async function runSide(tree: BuiltTree, args: ScaleArgs, ranges: number, ctx: SideContext): Promise<SideResult> {
  const log = (line: string) => ctx.log(`[${tree.name}] ${line}`);
  const runDir = mkdtempSync(join(tmpdir(), `ringleader-bench-scale-${tree.name}-`));
  log(`run folder ${runDir} (server data and worker logs)`);
  const running: Running = { cluster: null, admin: null, fleet: null };
  const unregister = ctx.onAbort(async () => {
    running.fleet?.killAll();
    await running.cluster?.close();
    if (!args.keep) rmSync(runDir, { recursive: true, force: true });
  });
  let ok = false;
  try {
    const result = await measureSide(tree, args, ranges, runDir, running, log);
    ok = true;
    return result;
  } finally {
    log('stopping workers and servers');
    await running.fleet?.close().catch(() => undefined);
    await running.admin?.close().catch(() => undefined);
    await running.cluster?.close();
    unregister();
    if (ok && !args.keep) rmSync(runDir, { recursive: true, force: true });
    else log(`kept ${runDir}`);
  }
}

async function measureSide(tree: BuiltTree, args: ScaleArgs, ranges: number, runDir: string, running: Running, log: (l: string) => void): Promise<SideResult> {
  const began = performance.now();
  const cluster = (running.cluster = await startZooKeeper({ runDir, nodes: 3, heap: args.zkHeap, logger: pino({ level: 'warn' }, pino.destination(2)) }));
  log(`ZooKeeper ${cluster.version} ensemble at ${cluster.connectString}`);
  const usage = new ServerUsageMeter(cluster.nodes.map((n) => n.pid!));
  const admin = (running.admin = await createGroup(tree, cluster.connectString, ranges));
  const assignMs = timeAssign(tree, args.members, ranges);
  log(`assign() of ${args.members} members x ${ranges} ranges: ${assignMs.toFixed(1)} ms (median of ${ASSIGN_RUNS})`);

  const fleet = (running.fleet = new Fleet({ workerPath: tree.workerPath, logDir: runDir, settings: settingsOf(args, cluster.connectString), ranges, log }));
  await fleet.startWorkers(args.workers);
  const start = await startAll(fleet, args, ranges, log, (r) => leaseData(admin, tree, r));
  const steady = await steadyState(cluster, args, log);
  const timing: ChangeTiming = { quietMs: Math.max(1_000, 3 * args.settleMs), timeoutMs: 60_000, log };
  const joins = await measureJoins(fleet, args.events, timing);
  const leaves = await measureLeaves(fleet, args.events, timing);
  const kills = await measureKills(fleet, args.events, args.sessionTimeoutMs, timing);
  const largest = await largestZnode(admin, new tree.coordinator.GroupPaths(GROUP, ROOT).base);
  log(`largest znode: ${largest.path} (${largest.bytes} bytes) of ${largest.znodes}`);
  const server = usage.read();
  return {
    members: args.members, ranges, commitIntervalMs: args.commitIntervalMs, sessionTimeoutMs: args.sessionTimeoutMs,
    workers: args.workers, rate: args.rate,
    ...start,
    memberStartRetries: fleet.startRetries,
    joinConvergeMs: spread(joins.ms), leaveConvergeMs: spread(leaves.ms), killConvergeMs: spread(kills.ms),
    convergeTimeouts: { join: joins.timeouts, leave: leaves.timeouts, kill: kills.timeouts },
    bytesReadPerRebalance: readBytesSummary([joins, leaves]),
    ...steady,
    maxZnodeBytes: largest.bytes, maxZnodePath: largest.path, znodes: largest.znodes,
    assignMs: Math.round(assignMs * 100) / 100,
    zkPeakRssBytes: server.peakRssBytes, zkCpuSeconds: server.cpuSeconds, zkAverageCores: server.averageCores,
    wallSeconds: Math.round((performance.now() - began) / 1000),
  };
}

function settingsOf(args: ScaleArgs, zk: string): WorkerSettings {
  return {
    zk, group: GROUP, root: ROOT,
    commitIntervalMs: args.commitIntervalMs, sessionTimeoutMs: args.sessionTimeoutMs, settleMs: args.settleMs,
    rate: args.rate, startConcurrency: args.startConcurrency,
  };
}

/** The group's config and initial assignment, with the tree's own `createGroupConfig` (what `ringleader create` calls). */
async function createGroup(tree: BuiltTree, connect: string, ranges: number): Promise<ZkSession> {
  const { ZkSession: Session, GroupPaths, createGroupConfig } = tree.coordinator;
  const zk = new Session({ connect, sessionTimeoutMs: 30_000, connectTimeoutMs: 30_000 });
  await zk.start();
  await createGroupConfig(zk, new GroupPaths(GROUP, ROOT), { topic: GROUP, ranges });
  return zk;
}

function timeAssign(tree: BuiltTree, members: number, ranges: number): number {
  const ms = memberIds('m', members).map((id) => ({ id, weight: 1 }));
  tree.ring.assign({ ranges, members: ms });
  const times: number[] = [];
  for (let i = 0; i < ASSIGN_RUNS; i++) {
    const t0 = performance.now();
    tree.ring.assign({ ranges, members: ms });
    times.push(performance.now() - t0);
  }
  return median(times);
}

type StartFigures = Pick<SideResult, 'startAllMs' | 'startConvergeMs' | 'startStuck'>;

/**
 * Starts every member; start-up convergence is timed from the moment the last
 * one has started. A start-up that does not converge is reported (with the
 * stuck ranges' lease znodes) and the run goes on: later changes only wait
 * for the ranges they move.
 */
async function startAll(fleet: Fleet, args: ScaleArgs, ranges: number, log: (l: string) => void, lease: (range: number) => Promise<string | null>): Promise<StartFigures> {
  const ids = memberIds('m', args.members);
  log(`starting ${ids.length} members over ${args.workers} workers`);
  fleet.tracker.mark();
  const t0 = preciseNow();
  await fleet.startMembers(ids);
  const allStarted = preciseNow();
  const startAllMs = Math.round(allStarted - t0);
  log(`all members started in ${startAllMs} ms (${fleet.startRetries} start(s) tried again)`);
  const everyone = (owners: readonly (string | null)[]) => {
    if (ranges < ids.length) return true;
    const holding = new Set(owners);
    return ids.every((id) => holding.has(id));
  };
  const at = await fleet.waitConverged({ after: -1, accept: everyone, timeoutMs: START_TIMEOUT_MS, label: 'start-up' });
  if (fleet.failed) throw new Error(fleet.failed);
  if (at === null) {
    const stuck = await describeStuck(fleet, lease);
    log(`start-up did not converge within ${START_TIMEOUT_MS} ms: ${JSON.stringify(stuck)}; going on`);
    return { startAllMs, startConvergeMs: null, startStuck: stuck };
  }
  const startConvergeMs = Math.round(Math.max(0, at - allStarted));
  log(`start-up converged ${startConvergeMs} ms after the last member started (epoch ${fleet.tracker.epoch}, leader ${fleet.leader})`);
  return { startAllMs, startConvergeMs };
}

async function describeStuck(fleet: Fleet, lease: (range: number) => Promise<string | null>): Promise<NonNullable<SideResult['startStuck']>> {
  const t = fleet.tracker;
  const examples = await Promise.all(t.pendingRanges(STUCK_EXAMPLES).map(async (p) => ({ range: p.range, owner: p.owner, lease: await lease(p.range).catch((err: unknown) => `unreadable: ${String(err)}`) })));
  return { pending: t.pending, examples };
}

/** A lease znode's data as text (null when there is none). */
async function leaseData(zk: ZkSession, tree: BuiltTree, range: number): Promise<string | null> {
  const node = await zk.getDataOrNull(new tree.coordinator.GroupPaths(GROUP, ROOT).lease(range));
  return node ? node.data.toString('utf8').slice(0, 300) : null;
}

async function steadyState(cluster: ZooKeeperCluster, args: ScaleArgs, log: (l: string) => void): Promise<{ zkWritesPerSec: number | null; writesPerMemberPerInterval: number | null }> {
  // Let every member's commit timer tick a few times after the last handoff.
  await sleep(2 * args.commitIntervalMs + 1_000);
  const perSec = await writesPerSecond(cluster, args.steadyMs);
  const perMember = perSec === null ? null : (perSec * args.commitIntervalMs) / 1000 / args.members;
  log(`steady state: ${perSec === null ? 'unknown (ZooKeeper leader changed)' : `${Math.round(perSec)} ZooKeeper writes/s, ${perMember!.toFixed(2)} per member per commit interval`}`);
  return {
    zkWritesPerSec: perSec === null ? null : Math.round(perSec),
    writesPerMemberPerInterval: perMember === null ? null : Math.round(perMember * 1000) / 1000,
  };
}

function readBytesSummary(series: ChangeSeries[]): SideResult['bytesReadPerRebalance'] {
  const unaffected = series.flatMap((s) => s.bytes.unaffected);
  const affected = series.flatMap((s) => s.bytes.affected);
  const med = (xs: number[]) => (xs.length ? Math.round(median(xs)) : null);
  return { unaffected: med(unaffected), affected: med(affected), samples: { unaffected: unaffected.length, affected: affected.length } };
}
