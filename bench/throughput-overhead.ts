/**
 * Overhead: the same preloaded topic consumed (a) by one plain kafkajs
 * consumer with eachBatch and no processing, and (b) by one ringleader
 * poller (in this process, default counting handler).
 *
 * Both use the same fetch settings (FETCH_DEFAULTS, those of the poller's
 * Kafka source, so the comparison measures ringleader and not fetch sizes) and
 * both are timed from the moment they may fetch to their last message:
 * the plain consumer from its Kafka group join, the poller from its first
 * range acquired (its own Kafka group join, ZooKeeper registration,
 * election and first assignment come before). So connecting and joining are
 * excluded from both, while the poller's acquisition of the other ranges
 * (leases, offsets reads, seeks) counts as its overhead. Times from start()
 * (everything included) are reported too.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createCountingHandler, createPoller, FETCH_DEFAULTS, type PollerOptions } from '../poller/index.js';
import { benchKafka, createGroup, deleteGroup, log, sleep } from './throughput-env.js';
import type { ZkSession } from '../coordinator/index.js';
import { steadyWindow, type WindowTiming } from './throughput-window.js';

export interface ConsumeTiming {
  messages: number;
  /** ready to fetch (group joined / first range acquired) -> last message */
  ms: number;
  /** start() called -> last message */
  totalMs: number;
  rate: number;
  rateFromStart: number;
  /** CPU time of this process (user + system) from start() to the last message, per message in µs. */
  cpuUsPerMsg: number;
  /** The steady-state window (see throughput-window.ts). */
  steady: WindowTiming;
}

/** What one consumer run reads: every message of the topic, with a steady window of `windowMessages` inside. */
export interface ConsumeGoal {
  expected: number;
  windowMessages: number;
  timeoutMs: number;
}

export function consumeTiming(messages: number, t0: number, tReady: number, tEnd: number, cpu: NodeJS.CpuUsage, steady: WindowTiming): ConsumeTiming {
  const ms = tEnd - tReady;
  const totalMs = tEnd - t0;
  return {
    messages,
    ms,
    totalMs,
    rate: (messages * 1000) / ms,
    rateFromStart: (messages * 1000) / totalMs,
    cpuUsPerMsg: (cpu.user + cpu.system) / messages,
    steady,
  };
}

/** Waits for the steady window and then for the last message; the window's sampling stops either way. */
export async function consumeWithWindow(
  goal: ConsumeGoal,
  probe: { count: () => number; ready: () => boolean },
  lastMessage: Promise<number>,
  what: () => string,
): Promise<{ tEnd: number; steady: WindowTiming }> {
  const window = steadyWindow({ ...probe, messages: goal.windowMessages, total: goal.expected });
  try {
    const [steady, tEnd] = await withTimeout(Promise.all([window.done, lastMessage]), goal.timeoutMs, what);
    return { steady, tEnd };
  } finally {
    window.stop();
  }
}

export async function runPlainKafkajs(brokers: string[], topic: string, goal: ConsumeGoal): Promise<ConsumeTiming> {
  const { expected } = goal;
  const kafka = benchKafka(brokers, 'ringleader-bench-plain');
  const consumer = kafka.consumer({
    groupId: `ringleader-bench-plain-${randomBytes(4).toString('hex')}`,
    maxBytesPerPartition: FETCH_DEFAULTS.maxBytesPerPartition,
    maxBytes: FETCH_DEFAULTS.maxBytes,
    minBytes: FETCH_DEFAULTS.minBytes,
    maxWaitTimeInMs: FETCH_DEFAULTS.maxWaitTimeInMs,
    allowAutoTopicCreation: false,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let tReady = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (tReady === 0) tReady = performance.now();
  });
  let seen = 0;
  let finish!: (t: number) => void;
  const done = new Promise<number>((r) => (finish = r));
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: FETCH_DEFAULTS.partitionsConsumedConcurrently,
      eachBatch: async ({ batch }) => {
        const n = batch.messages.length;
        if (n === 0) return;
        seen += n;
        if (seen >= expected) finish(performance.now());
      },
    });
    const { tEnd, steady } = await consumeWithWindow(goal, { count: () => seen, ready: () => tReady !== 0 }, done, () => `plain kafkajs consumer saw ${seen}/${expected} messages`);
    return consumeTiming(seen, t0, tReady, tEnd, process.cpuUsage(cpu0), steady);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

export async function runPoller(
  zk: ZkSession,
  servers: { zk: string; brokers: string[] },
  topic: string,
  ranges: number,
  goal: ConsumeGoal,
  extra: Partial<PollerOptions> = {},
): Promise<ConsumeTiming> {
  const { expected } = goal;
  const group = `bench-ovh-${randomBytes(4).toString('hex')}`;
  await createGroup(zk, group, topic, ranges);
  // The default handler, made here so that counting costs a read, as for the
  // plain consumers (status() builds a whole report).
  const counting = createCountingHandler();
  const poller = createPoller({
    zk: servers.zk,
    group,
    brokers: servers.brokers,
    topic,
    id: `bench-${process.pid}`,
    logger: pino({ level: 'error' }, pino.destination(2)),
    drainTimeoutMs: 5_000,
    handler: counting.handle,
    ...extra,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let tReady = 0;
  let acquired = 0;
  let tAll = 0;
  poller.on('acquired', () => {
    if (tReady === 0) tReady = performance.now();
    if (++acquired === ranges) tAll = performance.now();
  });
  let timer: NodeJS.Timeout | null = null;
  try {
    const done = new Promise<number>((resolve) => {
      timer = setInterval(() => {
        if (counting.count() >= expected) resolve(performance.now());
      }, 2);
    });
    await poller.start();
    const probe = { count: counting.count, ready: () => tAll !== 0 };
    const { tEnd, steady } = await consumeWithWindow(goal, probe, done, () => `poller handled ${counting.count()}/${expected} messages`);
    log(`  poller: first range acquired ${Math.round(tReady - t0)} ms after start(), all ${ranges} after ${Math.round(tAll - t0)} ms`);
    return consumeTiming(counting.count(), t0, tReady, tEnd, process.cpuUsage(cpu0), steady);
  } finally {
    if (timer) clearInterval(timer);
    await poller.close().catch((err: unknown) => log(`poller close failed: ${String(err)}`));
    await deleteGroup(zk, group).catch(() => undefined);
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(t);
    await sleep(0);
  }
}
