/**
 * Throughput benchmark against real ZooKeeper and Kafka.
 *
 *   npx tsc -p tsconfig.build.json && npm run bench:throughput -- [--json] [--quick] [--profile]
 *
 * 1. Overhead: a 32-range topic preloaded with 2,500,000 messages of 200 B is
 *    consumed by one plain kafkajs consumer (eachBatch, no processing), one
 *    plain @platformatic/kafka consumer (its message stream), and one
 *    in-process ringleader poller (default counting handler) on each of the
 *    two clients (--kafka-client), in alternating order over five
 *    repetitions; medians are reported. Rates and CPU per message are taken
 *    in a steady window of 2,000,000 messages that opens once the consumer
 *    owns every partition and its first messages flowed
 *    (throughput-window.ts), with the same fetch settings for all (see
 *    throughput-overhead.ts, throughput-platformatic.ts); the whole run
 *    from start() is reported beside it.
 * 2. Scaling: 1, 2, 4, 8 poller processes with a handler that waits 5 ms per
 *    message, --concurrency 8 and --max-in-flight 8 (each poller is a worker
 *    of capacity 8, like a sidecar with 8 connections); a fresh group per n;
 *    the rate over a fixed window after convergence (see
 *    throughput-scaling.ts); two rounds in alternating order, median per n.
 *    Without --max-in-flight, concurrency is per range, so every n shares the
 *    same R * 8 = 256 handler slots and one poller already reaches the
 *    256 / 5 ms = 51,200 msg/s ceiling: adding pollers cannot show.
 *    scaling(n) = rate(n) / (n * rate(1)).
 * 3. Sidecar: 2 pollers with --forward to a local HTTP service answering 200.
 *
 * Progress goes to stderr; the last line of stdout is one JSON object.
 * --quick: 50,000 messages (window 30,000), one repetition, 1 and 2 pollers (CI smoke run).
 * --own-servers: start a fresh ZooKeeper + Kafka through infra/ (stopped at
 *   the end) even when RINGLEADER_ZK/RINGLEADER_BROKERS or .infra/env answer.
 * --profile: the poller processes of the scaling runs write .cpuprofile files
 *   (node --cpu-prof) under $TMPDIR/ringleader-bench/<run>/profiles/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  acquireServers,
  benchKafka,
  deleteTopics,
  log,
  median,
  preloadTopic,
  zkSession,
  type Servers,
} from './throughput-env.js';
import { runPlainKafkajs, runPoller, type ConsumeGoal, type ConsumeTiming } from './throughput-overhead.js';
import { runPlainPlatformatic } from './throughput-platformatic.js';
import { killAllPollers, runScaling, startOkServer, type ScalingResult, type ScalingRunOptions } from './throughput-scaling.js';
import type { ZkSession } from '../coordinator/index.js';
import { formatTop, profiled, topSelfTime } from './throughput-profile.js';
import { checkBuilt, createRunDirs, parseArgs, planRun, type RunDirs, type ThroughputPlan } from './throughput-plan.js';

const RANGES = 32;
const SIZE = 200;
/** Many keys, so per-key ordering never limits --concurrency 8 (about 300 keys per range). */
const KEYS = 10_000;
const CONCURRENCY = 8;
/** The fixture's delay (it reads the same variable). */
const HANDLER_DELAY_MS = Number(process.env['BENCH_HANDLER_DELAY_MS'] ?? 5);

const round = (x: number) => Math.round(x);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** The servers and the preloaded topic every phase consumes. */
interface LoadedTopic {
  servers: Servers;
  zk: ZkSession;
  topic: string;
  /** Messages actually preloaded (what every consumer waits for). */
  loaded: number;
}

interface OverheadSummary {
  plainRate: number;
  pollerRate: number;
  overheadRatio: number;
  overheadRatioFromStart: number;
  cpuPlain: number;
  cpuPoller: number;
  plainPlatformaticRate: number;
  pollerPlatformaticRate: number;
  /** Poller on platformatic / plain platformatic. */
  overheadRatioPlatformatic: number;
  /** Poller on platformatic / plain kafkajs. */
  platformaticOverKafkajs: number;
  cpuPlainPlatformatic: number;
  cpuPollerPlatformatic: number;
}

interface ScalingSummary {
  rates: Record<string, number>;
  scaling: Record<string, number>;
}

interface Measured {
  loaded: number;
  overhead: OverheadSummary;
  scaling: ScalingSummary;
  sidecarRatePerPoller: number;
}

type ScalingCommon = Omit<ScalingRunOptions, 'pollers'>;
type NodeArgsOf = (tag: string) => string[];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const plan = planRun(args);
  checkBuilt(plan);
  const dirs = createRunDirs();
  log(`${args.quick ? 'quick' : 'full'} run: ${plan.messages} messages, ${plan.reps} repetition(s), pollers ${plan.pollerCounts.join(',')}; poller logs in ${dirs.logDir}`);
  await withLoadedTopic(plan, async (t) => report(plan, dirs, await measure(t, plan, dirs), started));
}

/** Runs body over a freshly preloaded topic; the topic, the session and the servers are cleaned up after. */
async function withLoadedTopic(plan: ThroughputPlan, body: (t: LoadedTopic) => Promise<void>): Promise<void> {
  let servers: Servers | null = null;
  let zk: ZkSession | null = null;
  const topic = `bench-throughput-${randomBytes(4).toString('hex')}`;
  let topicMade = false;
  const stop = async () => {
    if (servers && topicMade) {
      await deleteTopics(benchKafka(servers.brokers, 'ringleader-bench-cleanup'), topic).catch((err: unknown) =>
        log(`could not delete topic ${topic}: ${String(err)}`),
      );
    }
    await zk?.close().catch(() => undefined);
    await servers?.close();
  };
  try {
    servers = await acquireServers({ own: plan.args.ownServers });
    zk = await zkSession(servers.zk);
    const kafka = benchKafka(servers.brokers, 'ringleader-bench-setup');
    topicMade = true;
    const loaded = await preloadTopic(kafka, topic, { ranges: RANGES, count: plan.messages, keys: KEYS, size: SIZE });
    await body({ servers, zk, topic, loaded });
  } finally {
    await stop();
  }
}

/** The three phases in order: overhead, scaling, sidecar (with their profiles under --profile). */
async function measure(t: LoadedTopic, plan: ThroughputPlan, dirs: RunDirs): Promise<Measured> {
  const { profile } = plan.args;
  const timeoutMs = Math.max(60_000, plan.messages / 2);
  const goal: ConsumeGoal = { expected: t.loaded, windowMessages: plan.windowMessages, timeoutMs };
  const overhead = await measureOverhead(t, plan.reps, goal);
  if (profile) await profileOverhead(t, dirs.profileDir, goal);

  const nodeArgs: NodeArgsOf = (tag) => (profile ? ['--cpu-prof', '--cpu-prof-dir', join(dirs.profileDir, tag)] : []);
  const common: ScalingCommon = {
    zk: t.zk,
    zkConnect: t.servers.zk,
    brokers: t.servers.brokers,
    topic: t.topic,
    ranges: RANGES,
    messages: t.loaded,
    concurrency: CONCURRENCY,
    maxInFlight: CONCURRENCY,
    windowMs: plan.windowMs,
    cliPath: plan.cliPath,
    logDir: dirs.logDir,
  };
  const scaling = await measureScaling(common, plan, nodeArgs);
  if (profile) summariseDir(join(dirs.profileDir, `scale-1${plan.scalingRounds > 1 ? '-r1' : ''}`));

  const sidecarRatePerPoller = await measureSidecar(common, nodeArgs);
  if (profile) summariseDir(join(dirs.profileDir, 'sidecar-2'));
  return { loaded: t.loaded, overhead, scaling, sidecarRatePerPoller };
}

type Consumer = 'plain' | 'poller' | 'plainPlatformatic' | 'pollerPlatformatic';
const CONSUMERS: readonly Consumer[] = ['plain', 'poller', 'plainPlatformatic', 'pollerPlatformatic'];

function consume(which: Consumer, t: LoadedTopic, goal: ConsumeGoal): Promise<ConsumeTiming> {
  switch (which) {
    case 'plain':
      return runPlainKafkajs(t.servers.brokers, t.topic, goal);
    case 'plainPlatformatic':
      return runPlainPlatformatic(t.servers.brokers, t.topic, goal);
    case 'poller':
      return runPoller(t.zk, t.servers, t.topic, RANGES, goal);
    case 'pollerPlatformatic':
      return runPoller(t.zk, t.servers, t.topic, RANGES, goal, { kafkaClient: 'platformatic' });
  }
}

const CONSUMER_LABEL: Record<Consumer, string> = {
  plain: 'plain kafkajs          ',
  poller: 'poller on kafkajs      ',
  plainPlatformatic: 'plain platformatic     ',
  pollerPlatformatic: 'poller on platformatic ',
};

/** The four consumers in alternating order, so drift in the machine's load favours none. */
async function measureOverhead(t: LoadedTopic, reps: number, goal: ConsumeGoal): Promise<OverheadSummary> {
  const timings: Record<Consumer, ConsumeTiming[]> = { plain: [], poller: [], plainPlatformatic: [], pollerPlatformatic: [] };
  for (let i = 0; i < reps; i++) {
    const order = i % 2 === 0 ? CONSUMERS : [...CONSUMERS].reverse();
    for (const which of order) {
      const c = await consume(which, t, goal);
      timings[which].push(c);
      log(`overhead rep ${i + 1}/${reps}: ${CONSUMER_LABEL[which]} steady ${round(c.steady.rate)} msg/s (${c.steady.messages} messages in ${round(c.steady.ms)} ms after ${c.steady.before}, ${c.steady.cpuUsPerMsg.toFixed(2)} µs CPU/msg); from ready ${round(c.rate)} msg/s, whole run ${round(c.totalMs)} ms`);
    }
  }
  return summariseOverhead(timings);
}

function summariseOverhead(t: Record<Consumer, ConsumeTiming[]>): OverheadSummary {
  const rate = (c: Consumer) => median(t[c].map((x) => x.steady.rate));
  const cpu = (c: Consumer) => median(t[c].map((x) => x.steady.cpuUsPerMsg));
  const plainRate = rate('plain');
  const pollerRate = rate('poller');
  const plainPlatformaticRate = rate('plainPlatformatic');
  const pollerPlatformaticRate = rate('pollerPlatformatic');
  const overheadRatio = pollerRate / plainRate;
  const overheadRatioFromStart = median(t.poller.map((x) => x.rateFromStart)) / median(t.plain.map((x) => x.rateFromStart));
  const overheadRatioPlatformatic = pollerPlatformaticRate / plainPlatformaticRate;
  const platformaticOverKafkajs = pollerPlatformaticRate / plainRate;
  const s = {
    plainRate, pollerRate, overheadRatio, overheadRatioFromStart, cpuPlain: cpu('plain'), cpuPoller: cpu('poller'),
    plainPlatformaticRate, pollerPlatformaticRate, overheadRatioPlatformatic, platformaticOverKafkajs,
    cpuPlainPlatformatic: cpu('plainPlatformatic'), cpuPollerPlatformatic: cpu('pollerPlatformatic'),
  };
  log(`overhead: CPU per message (µs) plain kafkajs ${s.cpuPlain.toFixed(2)}, poller on kafkajs ${s.cpuPoller.toFixed(2)}, plain platformatic ${s.cpuPlainPlatformatic.toFixed(2)}, poller on platformatic ${s.cpuPollerPlatformatic.toFixed(2)}`);
  log(`overhead: kafkajs plain ${round(plainRate)} msg/s, poller ${round(pollerRate)} msg/s, ratio ${r3(overheadRatio)} (from start incl. joins: ${r3(overheadRatioFromStart)})`);
  log(`overhead: platformatic plain ${round(plainPlatformaticRate)} msg/s, poller ${round(pollerPlatformaticRate)} msg/s, ratio ${r3(overheadRatioPlatformatic)}; poller on platformatic / plain kafkajs ${r3(platformaticOverKafkajs)}`);
  return s;
}

/** One more run of each consumer under the in-process CPU profiler (kept out of the figures above). */
async function profileOverhead(t: LoadedTopic, profileDir: string, goal: ConsumeGoal): Promise<void> {
  mkdirSync(profileDir, { recursive: true });
  for (const which of CONSUMERS) {
    const file = join(profileDir, `overhead-${which}.cpuprofile`);
    const c = await profiled(file, () => consume(which, t, goal));
    log(formatTop(`profile of ${which} (steady ${round(c.steady.rate)} msg/s while profiled) ${file}`, topSelfTime(file)));
  }
}

async function measureScaling(common: ScalingCommon, plan: ThroughputPlan, nodeArgs: NodeArgsOf): Promise<ScalingSummary> {
  const { pollerCounts, scalingRounds } = plan;
  // Rounds alternate the order (1,2,4,8 then 8,4,2,1) so drift in the
  // machine's load does not favour one n; the rate of n is the median.
  const perN = new Map<number, ScalingResult[]>();
  for (let round_ = 0; round_ < scalingRounds; round_++) {
    const order = round_ % 2 === 0 ? pollerCounts : [...pollerCounts].reverse();
    for (const n of order) {
      const tag = `scale-${n}${scalingRounds > 1 ? `-r${round_ + 1}` : ''}`;
      const r = await runScaling({ ...common, pollers: n, handler: plan.handlerPath, nodeArgs: nodeArgs(tag) });
      perN.set(n, [...(perN.get(n) ?? []), r]);
      log(`scaling round ${round_ + 1}/${scalingRounds} n=${n}: ${round(r.rate)} msg/s over ${round(r.windowMs)} ms (converged after ${round(r.convergeMs)} ms, ${r.handledBefore} handled before the window)`);
    }
  }
  const rateOf = (n: number) => median((perN.get(n) ?? []).map((r) => r.rate));
  const rate1 = rateOf(1);
  const rates: Record<string, number> = {};
  const scaling: Record<string, number> = {};
  for (const n of pollerCounts) {
    rates[String(n)] = round(rateOf(n));
    scaling[String(n)] = r3(rateOf(n) / (n * rate1));
  }
  log(`scaling: ${JSON.stringify(scaling)}`);
  return { rates, scaling };
}

/** Two pollers forwarding to a local HTTP service that answers 200; the rate per poller. */
async function measureSidecar(common: ScalingCommon, nodeArgs: NodeArgsOf): Promise<number> {
  const sidecar = await startOkServer();
  try {
    const r = await runScaling({ ...common, pollers: 2, forward: sidecar.url, nodeArgs: nodeArgs('sidecar-2') });
    const perPoller = r.rate / 2;
    log(`sidecar n=2: ${round(r.rate)} msg/s (${round(perPoller)} per poller; ${sidecar.requests()} requests served)`);
    return perPoller;
  } finally {
    await sidecar.close();
  }
}

/** Progress to stderr; the JSON object as the last line of stdout (its fields are what readers of the run rely on). */
function report(plan: ThroughputPlan, dirs: RunDirs, m: Measured, started: number): void {
  const { args } = plan;
  const { overhead: o, scaling: s } = m;
  const result = {
    plainKafkajs: round(o.plainRate),
    poller: round(o.pollerRate),
    overheadRatio: r3(o.overheadRatio),
    plainPlatformatic: round(o.plainPlatformaticRate),
    pollerPlatformatic: round(o.pollerPlatformaticRate),
    overheadRatioPlatformatic: r3(o.overheadRatioPlatformatic),
    platformaticOverKafkajs: r3(o.platformaticOverKafkajs),
    scaling: s.scaling,
    rates: s.rates,
    sidecarRatePerPoller: round(m.sidecarRatePerPoller),
    messages: m.loaded,
    node: process.version,
    quick: args.quick,
    repetitions: plan.reps,
    windowMessages: plan.windowMessages,
    timing: 'overhead and cpuUsPerMsg: a steady window of windowMessages opened once the consumer owns every partition (plain: group joined; pollers: every range acquired) and its first messages were counted; overheadRatioFromStart: start() to last message; scaling: window after convergence',
    overheadRatioFromStart: r3(o.overheadRatioFromStart),
    cpuUsPerMsg: {
      plainKafkajs: r3(o.cpuPlain),
      poller: r3(o.cpuPoller),
      plainPlatformatic: r3(o.cpuPlainPlatformatic),
      pollerPlatformatic: r3(o.cpuPollerPlatformatic),
    },
    // Little's law: n pollers of capacity maxInFlight cannot beat n * maxInFlight / delay.
    ioCeilingPerPoller: round((CONCURRENCY * 1000) / HANDLER_DELAY_MS),
    maxInFlight: CONCURRENCY,
    windowMs: plan.windowMs,
    scalingRounds: plan.scalingRounds,
    concurrency: CONCURRENCY,
    handlerDelayMs: HANDLER_DELAY_MS,
    ranges: RANGES,
    seconds: round((performance.now() - started) / 1000),
    ...(args.profile ? { profiles: dirs.profileDir } : {}),
  };
  log(`done in ${result.seconds} s`);
  if (!args.json) {
    log(`plain kafkajs ${result.plainKafkajs} msg/s | poller ${result.poller} msg/s | overhead ratio ${result.overheadRatio}`);
    log(`plain platformatic ${result.plainPlatformatic} msg/s | poller on platformatic ${result.pollerPlatformatic} msg/s | overhead ratio ${result.overheadRatioPlatformatic} | poller on platformatic / plain kafkajs ${result.platformaticOverKafkajs}`);
    log(`rates ${JSON.stringify(s.rates)} | scaling ${JSON.stringify(s.scaling)} | sidecar/poller ${result.sidecarRatePerPoller}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The first poller profile of a folder written by `node --cpu-prof`. */
function summariseDir(dir: string): void {
  try {
    const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
    if (file) log(formatTop(`profile of a poller process ${join(dir, file)}`, topSelfTime(join(dir, file))));
  } catch (err) {
    log(`no profile in ${dir}: ${String(err)}`);
  }
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) {
      killAllPollers('SIGKILL');
      process.exit(130);
    }
    interrupted = true;
    log(`${sig}: stopping the pollers and cleaning up (again to exit at once)`);
    process.exitCode = 130;
    killAllPollers('SIGTERM');
  });
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
