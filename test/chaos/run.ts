// One chaos run: servers, group, coordinators, pollers, load, the seeded
// faults, the drain, the checks and the report, one named phase each.
// Everything started here is stopped by `cleanUp` in `finally`, and by the
// exit hooks of main.ts on a signal.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { startInfra, infraHome, type Infra } from '../../infra/index.js';
import { createKafka } from '../../poller/kafka-client.js';
import { createRingProducer, type RingProducer } from '../../poller/index.js';
import type { KafkaClientName } from '../../poller/kafka-clients.js';
import { fetchEndOffsets } from '../../poller/kafka-admin.js';
import { Cluster } from './cluster.js';
import { FaultInjector } from './faults.js';
import { runLoad, type LoadResult } from './producer.js';
import { killAllProcesses, runningProcesses } from '../support/node-process.js';
import { atMost, sleep, waitFor } from '../support/wait-for.js';
import { runCli } from './processes.js';
import { recheck, saveRun, type ChaosReport, type RunFacts } from './report.js';
import { buildSchedule, chaosFetchStallMs, QUIET_MARGIN_MS, rounds, type FaultKind, type PlannedFault } from './schedule.js';
import { NetworkPartitions } from './network-partition.js';
import { ObserverSet } from './observer-set.js';
import { KAFKA_REQUEST_TIMEOUT_MS } from './broker-faults-plan.js';
import { startPlainConsumer, type PlainConsumer } from './plain-consumer.js';
import { DEFAULT_SESSION_TIMEOUT_MS } from '../../poller/kafka-source/consumer-settings.js';

export interface ChaosOptions {
  durationSec: number;
  seed: number;
  sessionTimeoutMs: number;
  pollers: number;
  ranges: number;
  /** How many times the group doubles its ranges during the run (`ringleader resize`). */
  resizes: number;
  rate: number;
  keys: number;
  /** Keep the records folder after a passing run (it is always kept after a failing one). */
  keep: boolean;
  /** The Kafka client library of the pollers (the load producer, a ring producer, stays on kafkajs). Default kafkajs. */
  kafkaClient?: KafkaClientName;
  log: (line: string) => void;
  /** Aborts the run early (Ctrl-C): it still drains, checks and cleans up. */
  signal?: AbortSignal;
}

/** Faults that need pollers to spare: a scale-in keeps at least 2, a kill or freeze leaves one running. */
const NEEDS_THREE_POLLERS = new Set<FaultKind>(['scale-in', 'poller-kill', 'poller-pause', 'zk-partition', 'kafka-partition']);

let activeInfra: Infra | null = null;

/** For signal handlers: SIGKILL every child and stop the servers. */
export async function emergencyStop(): Promise<void> {
  killAllProcesses();
  await activeInfra?.close().catch(() => undefined);
}

export type { ChaosReport };

/** The fixed facts of one run, worked out before anything starts. */
interface RunPlan {
  o: ChaosOptions;
  t0: number;
  log: (line: string) => void;
  runDir: string;
  recordsDir: string;
  warmupMs: number;
  schedule: PlannedFault[];
}

/** What the run has started so far: `cleanUp` stops all of it, whichever phase failed. */
interface RunParts {
  infra: Infra | null;
  observer: ObserverSet | null;
  network: NetworkPartitions | null;
  cluster: Cluster | null;
  injector: FaultInjector | null;
  load: Promise<LoadResult> | null;
  producer: RingProducer | null;
  plain: PlainConsumer | null;
  stopLoad: AbortController;
  loadResult: LoadResult;
  drained: boolean;
}

/** The group under test and where to reach it. */
interface Target {
  zk: string;
  brokers: string[];
  group: string;
  topic: string;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const run = planRun(o);
  const parts: RunParts = {
    infra: null,
    observer: null,
    network: null,
    cluster: null,
    injector: null,
    load: null,
    producer: null,
    plain: null,
    stopLoad: new AbortController(),
    loadResult: { sent: 0, failedSends: 0 },
    drained: false,
  };
  try {
    const target = await startServersAndGroup(run, parts);
    const { observer, cluster } = await startProcesses(run, parts, target);
    const kafka = createKafka({ brokers: target.brokers, clientId: 'ringleader-chaos', requestTimeout: KAFKA_REQUEST_TIMEOUT_MS, logger: pino({ level: 'silent' }) });
    parts.plain = await startPlainConsumer({ kafka, topic: target.topic, groupId: `${target.group}-plain`, file: join(run.recordsDir, 'plain-consumer.ndjson'), sessionTimeoutMs: DEFAULT_SESSION_TIMEOUT_MS });
    const injector = await startLoadAndInjector(run, parts, target, kafka);
    await playSchedule(run, injector);
    await retrySkippedFaults(run, injector, cluster);
    await stopLoadAtTheEnd(run, parts, injector);
    parts.drained = await drain(run, kafka, target.topic, observer);
    await cluster.stopAll(20_000);
  } finally {
    await cleanUp(run, parts);
  }
  return checkRun(run, parts);
}

/** The records folder, the seeded schedule (saved with the records) and the run's clock. */
function planRun(o: ChaosOptions): RunPlan {
  const t0 = Date.now();
  const log = (line: string) => o.log(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  const runDir = join(infraHome(), 'chaos', `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${o.seed}-${randomBytes(2).toString('hex')}`);
  const recordsDir = join(runDir, 'records');
  mkdirSync(recordsDir, { recursive: true });
  const warmupMs = 5_000;
  const tailMs = 8_000;
  const windowMs = Math.max(5_000, o.durationSec * 1000 - warmupMs - tailMs);
  const schedule = buildSchedule({ seed: o.seed, windowMs, sessionTimeoutMs: o.sessionTimeoutMs, rounds: rounds(o.durationSec), resizes: o.resizes });
  writeFileSync(join(recordsDir, 'schedule.json'), `${JSON.stringify(schedule, null, 1)}\n`);
  log(`seed ${o.seed}: ${schedule.length} faults over ${Math.round(windowMs / 1000)} s; records in ${recordsDir}`);
  return { o, t0, log, runDir, recordsDir, warmupMs, schedule };
}

/** A 3-node ZooKeeper ensemble and a 3-node Kafka cluster, and a fresh group and topic (3 replicas) created through the CLI. */
async function startServersAndGroup({ o, log, runDir }: RunPlan, parts: RunParts): Promise<Target> {
  log('starting a 3-node ZooKeeper ensemble and a 3-node Kafka cluster');
  const infra = await startInfra({ ensemble: true, kafkaBrokers: 3, runDir, removeOnClose: false, logger: pino({ level: 'silent' }) });
  parts.infra = infra;
  activeInfra = infra;
  const zk = infra.zkConnectString;
  const brokers = infra.brokers;
  const group = `chaos-${o.seed}-${randomBytes(3).toString('hex')}`;
  const topic = group;
  log(`ZooKeeper ${zk}, Kafka ${brokers.join(',')}; group and topic ${group}`);
  const created = await runCli(['create', '--zk', zk, '--brokers', brokers.join(','), '--group', group, '--topic', topic, '--ranges', String(o.ranges)], 120_000);
  if (created.code !== 0) throw new Error(`ringleader create exited ${created.code}: ${created.stderr.trim().slice(-500)}`);
  return { zk, brokers, group, topic };
}

/** The observers, 2 coordinators and the pollers, until the first assignment has converged. */
async function startProcesses({ o, log, recordsDir }: RunPlan, parts: RunParts, { zk, brokers, group, topic }: Target): Promise<{ observer: ObserverSet; cluster: Cluster }> {
  const observer = new ObserverSet(parts.infra!.zookeeper.nodes.map((n) => n.connectString), group, o.ranges);
  parts.observer = observer;
  await observer.start();
  // Each poller in a network namespace of its own behind this switch: zk-partition and kafka-partition cut it off.
  const network = new NetworkPartitions(join(recordsDir, '..', 'net.sock'), parts.infra!.zookeeper.nodes.map((n) => n.connectString), brokers);
  await network.start();
  parts.network = network;
  const cluster = new Cluster({
    zk,
    brokers,
    group,
    topic,
    sessionTimeoutMs: o.sessionTimeoutMs,
    fetchStallTimeoutMs: chaosFetchStallMs(o.sessionTimeoutMs),
    dir: recordsDir,
    network,
    kafkaClient: o.kafkaClient ?? 'kafkajs',
  });
  parts.cluster = cluster;
  cluster.startCoordinator('coord-1');
  cluster.startCoordinator('coord-2');
  for (let i = 0; i < o.pollers; i++) cluster.startPoller();
  await waitFor('the first assignment to converge', async () => {
    const owners = new Set<string>();
    const s = await runCli(['status', '--zk', zk, '--group', group, '--json']);
    if (s.code !== 0) return false;
    const st = JSON.parse(s.stdout) as { converged: boolean; assignment: { owner: string | null }[] };
    for (const a of st.assignment) if (a.owner) owners.add(a.owner);
    return st.converged && owners.size === o.pollers;
  }, { timeoutMs: 120_000, everyMs: 250 });
  log(`${o.pollers} pollers (Kafka client ${o.kafkaClient ?? 'kafkajs'}) own all ${o.ranges} ranges; 2 coordinators; producing ${o.rate} msg/s over ${o.keys} keys`);
  return { observer, cluster };
}

/** Starts producing (until `parts.stopLoad` aborts) and readies the fault injector. */
async function startLoadAndInjector({ o, log, recordsDir }: RunPlan, parts: RunParts, { zk, group }: Target, kafka: Kafka): Promise<FaultInjector> {
  let sendErrors = 0;
  // A producer that follows the group: a resize fault pauses it and it sends with the new R.
  const producer = await createRingProducer({ zk, group, kafka, id: 'chaos-load' });
  parts.producer = producer;
  parts.load = runLoad({
    producer, keys: o.keys, rate: o.rate, size: 100,
    file: join(recordsDir, 'produced.ndjson'), signal: parts.stopLoad.signal,
    onError: (err) => {
      if (sendErrors++ < 5) log(`producer send failed: ${err instanceof Error ? err.message : String(err)}`);
    },
  });
  const injector = new FaultInjector({ infra: parts.infra!, cluster: parts.cluster!, zk, group, log, minPollers: 2, maxPollers: 6 });
  parts.injector = injector;
  return injector;
}

/** After the warm-up, each planned fault at its time; a quiet fault first waits for a quiet spell. */
async function playSchedule({ o, log, warmupMs, schedule }: RunPlan, injector: FaultInjector): Promise<void> {
  await sleep(warmupMs, o.signal);
  let windowStart = Date.now();
  for (const f of schedule) {
    if (o.signal?.aborted) break;
    await sleep(windowStart + f.atMs - Date.now(), o.signal);
    if (f.quiet) {
      // Earlier faults may still be running (a slow restart or drain): wait, and shift the rest of the schedule.
      const waited = await injector.quiet(o.sessionTimeoutMs, QUIET_MARGIN_MS, o.signal);
      if (waited > 0) log(`fault #${f.n} ${f.kind}: waited ${waited} ms for a quiet spell`);
      windowStart += waited;
    }
    if (o.signal?.aborted) break;
    await injector.inject(f);
  }
}

/**
 * A fault skipped for want of a target (a ZooKeeper node already down, too
 * few pollers to drain one) is tried again, so every kind gets its count: one
 * at a time, after the others are over, up to 3 times. Scale-ins may have
 * left too few pollers to drain or kill one: a poller is added first (a
 * scale-out fault of its own).
 */
async function retrySkippedFaults({ o, log, schedule }: RunPlan, injector: FaultInjector, cluster: Cluster): Promise<void> {
  await injector.settle();
  let extra = schedule.length;
  for (const skipped of [...injector.skipped]) {
    const f = schedule.find((x) => x.n === skipped.n);
    if (!f) continue;
    for (let attempt = 1; attempt <= 3 && !o.signal?.aborted; attempt++) {
      await sleep(3_000, o.signal);
      if (NEEDS_THREE_POLLERS.has(f.kind) && cluster.up().length < 3) {
        log(`fault #${f.n} ${f.kind}: only ${cluster.up().length} poller(s) up; adding one first`);
        await injector.inject({ n: extra++, atMs: f.atMs, kind: 'scale-out', pick: 0, holdMs: 0, delayMs: 0 });
        await sleep(8_000, o.signal); // to register and take its ranges
      }
      log(`fault #${f.n} ${f.kind}: trying again (skipped: ${skipped.why})`);
      const before = injector.skipped.length;
      await injector.inject(f);
      await injector.settle();
      if (injector.skipped.length === before) break;
    }
  }
}

/**
 * At the run's end time: waits for the broker faults still queued (they run
 * one at a time, each until its node is back in sync, and may fall behind
 * the schedule; the load keeps going so that each is measured), stops the
 * producer, then waits for every fault to recover.
 */
async function stopLoadAtTheEnd({ o, t0, log }: RunPlan, parts: RunParts, injector: FaultInjector): Promise<void> {
  await sleep(t0 + o.durationSec * 1000 - Date.now(), o.signal);
  const behind = Date.now();
  await atMost(injector.brokerFaultsDone(), 600_000, o.signal);
  if (Date.now() - behind > 1_000) log(`waited ${Date.now() - behind} ms for the queued broker faults`);
  parts.stopLoad.abort();
  parts.loadResult = await parts.load!;
  parts.load = null;
  await parts.producer?.close();
  parts.producer = null;
  log(`producer stopped after ${parts.loadResult.sent} messages (${parts.loadResult.failedSends} failed sends); waiting for faults to recover`);
  await injector.settle();
}

/** Waits until every range's committed offset reaches its end offset; false if it never does. */
async function drain({ log }: RunPlan, kafka: Kafka, topic: string, observer: ObserverSet): Promise<boolean> {
  const drainStart = Date.now();
  let lastLag = -1;
  const drained = await waitFor('every range to drain', async () => {
    const ends = await fetchEndOffsets(kafka, topic);
    const committed = observer.committed();
    let lag = 0;
    for (const [r, end] of ends) lag += Math.max(0, Number(BigInt(end) - (committed.get(r) ?? 0n)));
    if (lag !== lastLag) {
      lastLag = lag;
      log(`drain: lag ${lag}`);
    }
    return lag === 0;
  }, { timeoutMs: 120_000, everyMs: 500 }).then(() => true, (err: unknown) => {
    log(`drain incomplete: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  });
  log(`drained in ${Date.now() - drainStart} ms: stopping pollers and coordinators`);
  return drained;
}

/** Stops whatever was started, keeps the server logs with the records, and names any child left running. */
async function cleanUp({ log, runDir }: RunPlan, parts: RunParts): Promise<void> {
  parts.stopLoad.abort();
  if (parts.load) parts.loadResult = await parts.load.catch(() => parts.loadResult);
  await parts.producer?.close().catch(() => undefined);
  await parts.plain?.stop();
  if (parts.injector) await atMost(parts.injector.settle(), 30_000);
  if (parts.cluster) await parts.cluster.stopAll(5_000).catch(() => undefined);
  killAllProcesses();
  await parts.network?.close();
  await parts.observer?.close();
  if (parts.infra) {
    await parts.infra.close();
    activeInfra = null;
    for (const d of ['kafka-1', 'kafka-2', 'kafka-3', 'zookeeper-1', 'zookeeper-2', 'zookeeper-3']) {
      // Server logs are kept with the records; their data is not.
      rmSync(join(runDir, d, 'data'), { recursive: true, force: true });
    }
  }
  const strays = runningProcesses();
  if (strays.length) log(`stray children: ${strays.map((s) => `${s.name}(${s.pid})`).join(', ')}`);
}

/** Saves the records and builds the report from them; a passing run's folder goes unless kept. */
function checkRun({ o, log, runDir, recordsDir }: RunPlan, parts: RunParts): ChaosReport {
  log('checking');
  const facts: RunFacts = {
    seed: o.seed,
    durationSec: o.durationSec,
    sessionTimeoutMs: o.sessionTimeoutMs,
    faultsSkipped: parts.injector!.skipped.length,
    producedFailedSends: parts.loadResult.failedSends,
    drained: parts.drained,
  };
  const { injector, observer, cluster } = parts;
  saveRun(recordsDir, { ...observer!.history, incarnations: cluster!.incarnations, faults: injector!.events }, facts, injector!.skipped);
  // The report comes from the saved records, exactly as `--recheck` would rebuild it.
  const report = recheck(recordsDir, facts);
  if (report.ok && !o.keep) {
    report.recordsDir = null;
    rmSync(runDir, { recursive: true, force: true });
  }
  return report;
}
