/**
 * Throughput benchmark against real ZooKeeper and Kafka.
 *
 *   npx tsc -p tsconfig.build.json && npm run bench:throughput -- [--json] [--quick] [--profile]
 *
 * 1. Overhead: a 32-range topic preloaded with 200,000 messages of 200 B is
 *    consumed by one plain kafkajs consumer (eachBatch, no processing) and
 *    by one in-process ringleader poller (default counting handler), in
 *    alternating order over several repetitions; medians are reported.
 *    Both are timed from ready-to-fetch to the last message, with the same
 *    fetch settings (see throughput-overhead.ts).
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
 * --quick: 50,000 messages, one repetition, 1 and 2 pollers (CI smoke run).
 * --own-servers: start a fresh ZooKeeper + Kafka through infra/ (stopped at
 *   the end) even when RINGLEADER_ZK/RINGLEADER_BROKERS or .infra/env answer.
 * --profile: the poller processes of the scaling runs write .cpuprofile files
 *   (node --cpu-prof) under $TMPDIR/ringleader-bench/<run>/profiles/.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { runPlainKafkajs, runPoller, type ConsumeTiming } from './throughput-overhead.js';
import { killAllPollers, runScaling, startOkServer, type ScalingResult } from './throughput-scaling.js';
import type { ZkSession } from '../coordinator/index.js';
import { formatTop, profiled, topSelfTime } from './throughput-profile.js';

interface Args {
  json: boolean;
  quick: boolean;
  profile: boolean;
  ownServers: boolean;
  messages?: number;
  reps?: number;
  rounds?: number;
  windowMs?: number;
  pollers?: number[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, quick: false, profile: false, ownServers: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 1) usage(`${arg} needs a positive integer`);
      return n;
    };
    switch (arg) {
      case '--json': a.json = true; break;
      case '--quick': a.quick = true; break;
      case '--profile': a.profile = true; break;
      case '--own-servers': a.ownServers = true; break;
      case '--messages': a.messages = int(); break;
      case '--reps': a.reps = int(); break;
      case '--rounds': a.rounds = int(); break;
      case '--window': a.windowMs = int(); break;
      case '--pollers': a.pollers = value().split(',').map(Number); break;
      case '-h': case '--help':
        process.stdout.write('usage: bench:throughput [--json] [--quick] [--profile] [--own-servers] [--messages N] [--reps N] [--rounds N] [--window ms] [--pollers 1,2,4,8]\n');
        process.exit(0);
        break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (a.pollers && !a.pollers.every((n) => Number.isSafeInteger(n) && n >= 1 && n <= 32)) usage('--pollers: integers 1..32');
  return a;
}

function usage(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

const RANGES = 32;
const SIZE = 200;
/** Many keys, so per-key ordering never limits --concurrency 8 (about 300 keys per range). */
const KEYS = 10_000;
const CONCURRENCY = 8;
/** The fixture's delay (it reads the same variable). */
const HANDLER_DELAY_MS = Number(process.env['BENCH_HANDLER_DELAY_MS'] ?? 5);

const round = (x: number) => Math.round(x);
const r3 = (x: number) => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const messages = args.messages ?? (args.quick ? 50_000 : 200_000);
  const reps = args.reps ?? (args.quick ? 1 : 5);
  const pollerCounts = args.pollers ?? (args.quick ? [1, 2] : [1, 2, 4, 8]);
  const windowMs = args.windowMs ?? (args.quick ? 2_000 : 5_000);
  const scalingRounds = args.rounds ?? (args.quick ? 1 : 2);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const cliPath = join(root, 'dist', 'cli', 'main.js');
  const handlerPath = join(root, 'dist', 'bench', 'fixtures', 'sleep-5ms.js');
  for (const f of [cliPath, handlerPath]) if (!existsSync(f)) usage(`${f} is missing; build first: npx tsc -p tsconfig.build.json`);
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
  const logDir = join(tmpdir(), 'ringleader-bench', runId);
  const profileDir = join(logDir, 'profiles');
  mkdirSync(logDir, { recursive: true });
  log(`${args.quick ? 'quick' : 'full'} run: ${messages} messages, ${reps} repetition(s), pollers ${pollerCounts.join(',')}; poller logs in ${logDir}`);

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
    servers = await acquireServers({ own: args.ownServers });
    zk = await zkSession(servers.zk);
    const kafka = benchKafka(servers.brokers, 'ringleader-bench-setup');
    topicMade = true;
    const loaded = await preloadTopic(kafka, topic, { ranges: RANGES, count: messages, keys: KEYS, size: SIZE });

    // ---- 1. overhead ----------------------------------------------------
    const plain: ConsumeTiming[] = [];
    const poller: ConsumeTiming[] = [];
    const timeoutMs = Math.max(60_000, messages / 2);
    for (let i = 0; i < reps; i++) {
      const order = i % 2 === 0 ? (['plain', 'poller'] as const) : (['poller', 'plain'] as const);
      for (const which of order) {
        if (which === 'plain') {
          const t = await runPlainKafkajs(servers.brokers, topic, loaded, timeoutMs);
          plain.push(t);
          log(`overhead rep ${i + 1}/${reps}: plain kafkajs ${round(t.rate)} msg/s (${round(t.ms)} ms from ready, ${round(t.totalMs)} ms from start)`);
        } else {
          const t = await runPoller(zk, servers, topic, RANGES, loaded, timeoutMs);
          poller.push(t);
          log(`overhead rep ${i + 1}/${reps}: poller        ${round(t.rate)} msg/s (${round(t.ms)} ms from ready, ${round(t.totalMs)} ms from start)`);
        }
      }
    }
    const plainRate = median(plain.map((t) => t.rate));
    const pollerRate = median(poller.map((t) => t.rate));
    const overheadRatio = pollerRate / plainRate;
    const overheadRatioFromStart = median(poller.map((t) => t.rateFromStart)) / median(plain.map((t) => t.rateFromStart));
    const cpuPlain = median(plain.map((t) => t.cpuUsPerMsg));
    const cpuPoller = median(poller.map((t) => t.cpuUsPerMsg));
    log(`overhead: CPU per message ${cpuPlain.toFixed(2)} µs plain, ${cpuPoller.toFixed(2)} µs poller (ratio ${r3(cpuPlain / cpuPoller)})`);
    log(`overhead: plain ${round(plainRate)} msg/s, poller ${round(pollerRate)} msg/s, ratio ${r3(overheadRatio)} (from start incl. joins: ${r3(overheadRatioFromStart)})`);

    if (args.profile) {
      mkdirSync(profileDir, { recursive: true });
      for (const which of ['plain', 'poller'] as const) {
        const file = join(profileDir, `overhead-${which}.cpuprofile`);
        const t = await profiled(file, () =>
          which === 'plain'
            ? runPlainKafkajs(servers!.brokers, topic, loaded, timeoutMs)
            : runPoller(zk!, servers!, topic, RANGES, loaded, timeoutMs),
        );
        log(formatTop(`profile of ${which} (${round(t.rate)} msg/s while profiled) ${file}`, topSelfTime(file)));
      }
    }

    // ---- 2. scaling -----------------------------------------------------
    const nodeArgs = (tag: string) => (args.profile ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, tag)] : []);
    const common = {
      zk,
      zkConnect: servers.zk,
      brokers: servers.brokers,
      topic,
      ranges: RANGES,
      messages: loaded,
      concurrency: CONCURRENCY,
      maxInFlight: CONCURRENCY,
      windowMs,
      cliPath,
      logDir,
    };
    // Rounds alternate the order (1,2,4,8 then 8,4,2,1) so drift in the
    // machine's load does not favour one n; the rate of n is the median.
    const perN = new Map<number, ScalingResult[]>();
    for (let round_ = 0; round_ < scalingRounds; round_++) {
      const order = round_ % 2 === 0 ? pollerCounts : [...pollerCounts].reverse();
      for (const n of order) {
        const tag = `scale-${n}${scalingRounds > 1 ? `-r${round_ + 1}` : ''}`;
        const r = await runScaling({ ...common, pollers: n, handler: handlerPath, nodeArgs: nodeArgs(tag) });
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
    if (args.profile) summariseDir(join(profileDir, `scale-1${scalingRounds > 1 ? '-r1' : ''}`));

    // ---- 3. sidecar -----------------------------------------------------
    const sidecar = await startOkServer();
    let sidecarRatePerPoller: number;
    try {
      const r = await runScaling({ ...common, pollers: 2, forward: sidecar.url, nodeArgs: nodeArgs('sidecar-2') });
      sidecarRatePerPoller = r.rate / 2;
      log(`sidecar n=2: ${round(r.rate)} msg/s (${round(sidecarRatePerPoller)} per poller; ${sidecar.requests()} requests served)`);
    } finally {
      await sidecar.close();
    }
    if (args.profile) summariseDir(join(profileDir, 'sidecar-2'));

    const result = {
      plainKafkajs: round(plainRate),
      poller: round(pollerRate),
      overheadRatio: r3(overheadRatio),
      scaling,
      rates,
      sidecarRatePerPoller: round(sidecarRatePerPoller),
      messages: loaded,
      node: process.version,
      quick: args.quick,
      repetitions: reps,
      timing: 'overhead: from ready to fetch (plain: group joined; poller: first range acquired) to last message; scaling: window after convergence',
      overheadRatioFromStart: r3(overheadRatioFromStart),
      cpuUsPerMsg: { plainKafkajs: r3(cpuPlain), poller: r3(cpuPoller) },
      // Little's law: n pollers of capacity maxInFlight cannot beat n * maxInFlight / delay.
      ioCeilingPerPoller: round((CONCURRENCY * 1000) / HANDLER_DELAY_MS),
      maxInFlight: CONCURRENCY,
      windowMs,
      scalingRounds,
      concurrency: CONCURRENCY,
      handlerDelayMs: HANDLER_DELAY_MS,
      ranges: RANGES,
      seconds: round((performance.now() - started) / 1000),
      ...(args.profile ? { profiles: profileDir } : {}),
    };
    log(`done in ${result.seconds} s`);
    if (!args.json) {
      log(`plain kafkajs ${result.plainKafkajs} msg/s | poller ${result.poller} msg/s | overhead ratio ${result.overheadRatio}`);
      log(`rates ${JSON.stringify(rates)} | scaling ${JSON.stringify(scaling)} | sidecar/poller ${result.sidecarRatePerPoller}`);
    }
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await stop();
  }
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
