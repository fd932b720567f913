import os from 'node:os';
import type { Logger } from 'pino';
import {
  ZkSession,
  GroupPaths,
  readGroupConfig,
  checkConfigMatches,
  Membership,
  Coordinator,
  type GroupConfig,
} from '../coordinator/index.js';
import { kafkaClients, kafkajsClients, type KafkaClients } from './kafka-clients.js';
import type { RangeSource } from './range-source.js';
import type { DeadLetterPublisher } from './dead-letter.js';
import { startMetricsServer, type MetricsServer } from './metrics.js';
import { AssignedRanges } from './assigned-ranges.js';
import { OwnedRanges } from './owned-ranges.js';
import { orderBarriers } from './order-barriers.js';
import { misplacedKeyCheck } from './misplaced-keys.js';
import type { RangePipeline } from './range-pipeline.js';
import { FencingGate } from './fencing-gate.js';
import { systemClock } from './clock.js';
import { StopBudget } from './stop-budget.js';
import type { PollerOptions } from './poller-options.js';
import { HealthReporter } from './health-reporter.js';
import type { StallDetector } from './stall-detector.js';
import { ResizeHold } from './resize-hold.js';
import type { Offset, Unhealthy } from '../coordinator/index.js';

/** Everything a running poller holds open, built in one go by `openPollerResources`. */
export interface PollerResources {
  zk: ZkSession;
  config: GroupConfig;
  gate: FencingGate;
  source: RangeSource;
  dlq: DeadLetterPublisher;
  metricsServer: MetricsServer | null;
  membership: Membership;
  owned: OwnedRanges;
  assigned: AssignedRanges;
  coordinator: Coordinator | null;
  /** Keeps the member node's `unhealthy` mark in step with what the poller can do. */
  health: HealthReporter;
  /** Holds every message start while a resize cuts over; tells the poller when the range count changed. */
  resizeHold: ResizeHold;
}

/** What the poller itself provides to its resources. */
export interface PollerHooks {
  id: string;
  paths: GroupPaths;
  log: Logger;
  /** A pipeline for a range, given the fencing check and the dead-letter publisher. */
  newPipeline: (range: number, canStart: () => boolean, dlq: DeadLetterPublisher) => RangePipeline;
  /** The /healthz answer, once the server runs. */
  health: () => { ok: boolean } & Record<string, unknown>;
  registry: import('prom-client').Registry;
  onHandoff: (ms: number) => void;
  onDrainRequested: () => void;
  /** Decides fetch and handler stalls; fed by the pipelines' events. */
  stalls: StallDetector;
  onHealthChange: (now: Unhealthy | null, before: Unhealthy | null) => void;
  /** A message past its split point carried another range's key (a resized group's safety net). */
  onMisplaced: (range: number) => void;
  /** The group now has another range count (a resize cut over): the poller grows to it (or starts again with it). */
  onResized: (config: GroupConfig) => void;
  /** The fencing gate's hold ended (a resize's): resume the work parked meanwhile. */
  onGateReleased?: () => void;
  /** A resize's cut-over set hold lines at its split points to be (null: they went). */
  onHoldLines?: (lines: readonly Offset[] | null) => void;
  /** A metrics server kept from the poller's previous resources (a restart on resize), used instead of starting one. */
  metricsServer?: MetricsServer | null;
}

/**
 * Connects to ZooKeeper, checks the group against the topic, starts the Kafka
 * source, the dead-letter publisher and the metrics server, registers as a
 * member, follows the assignment and (unless disabled) stands for leader. On
 * any failure, closes what it opened and rethrows.
 */
export async function openPollerResources(opts: PollerOptions, hooks: PollerHooks): Promise<PollerResources> {
  const built: Partial<PollerResources> = {};
  try {
    await openInto(built, opts, hooks);
    return built as PollerResources;
  } catch (err) {
    await closePollerResources(built, undefined, hooks.log).catch(() => undefined);
    throw err;
  }
}

async function openInto(r: Partial<PollerResources>, opts: PollerOptions, hooks: PollerHooks): Promise<void> {
  const log = hooks.log;
  const zk = (r.zk = new ZkSession({
    connect: opts.zk,
    sessionTimeoutMs: opts.sessionTimeoutMs ?? 10_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
    logger: log,
    ...opts.zkSecurity,
  }));
  await zk.start();
  const config = (r.config = await readGroupConfig(zk, hooks.paths));
  checkConfigMatches(config, { topic: opts.topic }, opts.group);
  const gate = (r.gate = new FencingGate(() => zk.withinDeadline(), hooks.onGateReleased));

  const kafka = opts.kafka
    ? kafkajsClients(opts.kafka)
    : await kafkaClients(opts.kafkaClient ?? 'kafkajs', {
        brokers: opts.brokers,
        clientId: `ringleader-${hooks.id}`,
        logger: log,
        ...(opts.kafkaRequestTimeoutMs !== undefined ? { requestTimeoutMs: opts.kafkaRequestTimeoutMs } : {}),
        ...(opts.kafkaSecurity ? { security: opts.kafkaSecurity } : {}),
      });
  await checkTopic(kafka, config, opts.group);
  const dlq = (r.dlq = kafka.createDeadLetterPublisher({ topic: config.topic, logger: log }));
  const source = (r.source = kafka.createSource({ topic: config.topic, groupId: `ringleader.${opts.group}.${hooks.id}`, partitions: config.ranges, logger: log }));
  const owned = (r.owned = new OwnedRanges({
    source,
    newPipeline: (range) => hooks.newPipeline(range, gate.canStart, dlq),
    from: opts.from ?? 'earliest',
    barriers: orderBarriers(zk, hooks.paths, config),
    inspect: misplacedKeyCheck(config, log, hooks.onMisplaced),
    drainTimeoutMs: opts.drainTimeoutMs ?? 30_000,
    maxQueuedPerRange: opts.maxQueuedPerRange ?? 2_000,
    clock: systemClock,
    onStopped: hooks.onHandoff,
    handlerStalled: () => r.health?.current()?.reason === 'handler-stall',
  }));
  source.onMessages(owned.dispatch);
  await source.start();

  r.metricsServer = hooks.metricsServer !== undefined ? hooks.metricsServer : opts.metricsPort === undefined ? null : await startMetricsServer({
    port: opts.metricsPort,
    ...(opts.metricsHost ? { host: opts.metricsHost } : {}),
    registry: hooks.registry,
    health: hooks.health,
    logger: log,
  });
  const membership = (r.membership = await register(zk, opts, hooks, r.metricsServer?.url));
  // Registered first, then the marker read: a resize that writes its marker
  // later waits for our pausedFor; one already under way is seen here.
  // The marker comes after the resize added its partitions: the source learns them during the hold, not after the cut-over.
  const learnPartitions = () => void source.learnPartitions().catch((err: unknown) => log.debug({ err }, 'cannot read the topic metadata during a resize; growing reads it again'));
  r.resizeHold = new ResizeHold({
    zk,
    paths: hooks.paths,
    gate,
    membership,
    ranges: config.ranges,
    onResized: hooks.onResized,
    onHold: learnPartitions,
    setLines: (lines) => {
      if (lines) owned.holdAtLines(lines);
      else owned.dropLines();
      hooks.onHoldLines?.(lines);
    },
    log,
  });
  await r.resizeHold.start();
  r.health = new HealthReporter({
    detector: hooks.stalls,
    membership,
    kafka: () => source.health(),
    zkUsable: () => zk.connected && zk.withinDeadline(),
    ...(opts.handlerProbe ? { probeHandler: opts.handlerProbe } : {}),
    onChange: hooks.onHealthChange,
    clock: systemClock,
    logger: log.child({ component: 'health' }),
  });
  r.health.start();

  r.assigned = new AssignedRanges({ zk, paths: hooks.paths, pollerId: hooks.id, ranges: config.ranges, consumer: owned, ...(opts.commitIntervalMs !== undefined ? { commitIntervalMs: opts.commitIntervalMs } : {}), logger: log });
  await r.assigned.start();

  r.coordinator = null;
  if (opts.coordinator !== false) {
    r.coordinator = new Coordinator({ zk, paths: hooks.paths, id: hooks.id, settleMs: opts.settleMs ?? 200, logger: log });
    await r.coordinator.start();
  }
}

async function checkTopic(kafka: KafkaClients, config: GroupConfig, group: string): Promise<void> {
  const partitions = await kafka.describeTopic(config.topic);
  // More partitions than ranges is a resize that added them and has not cut over (or was rolled back).
  if (partitions < config.ranges) {
    throw new Error(`topic "${config.topic}" has ${partitions} partitions but group "${group}" has ${config.ranges} ranges`);
  }
}

async function register(zk: ZkSession, opts: PollerOptions, hooks: PollerHooks, metricsUrl: string | undefined): Promise<Membership> {
  const membership = new Membership(zk, hooks.paths, {
    id: hooks.id,
    host: os.hostname(),
    pid: process.pid,
    weight: opts.weight ?? 1,
    state: 'active',
    startedAt: new Date().toISOString(),
    ...(metricsUrl ? { metricsUrl } : {}),
  }, hooks.log);
  membership.on('drain-requested', hooks.onDrainRequested);
  await membership.register();
  return membership;
}

/**
 * Each step of closing ends within this long: a server that does not answer
 * (a silent ZooKeeper, a paused Kafka broker leaving a group) must not keep
 * a stopping process alive. What it left undone dies with the process.
 */
export const CLOSE_STEP_MS = 3_000;
/** Steps one after the other: leadership, ranges, member node, Kafka & co (at once), session. */
const CLOSE_STEPS = 5;
/** The longest closing can take. */
export const CLOSING_BOUND_MS = CLOSE_STEPS * CLOSE_STEP_MS;

/**
 * Closes whatever `r` holds, in the order that hands ranges over cleanly:
 * leadership first, then every range (final commits), the member node, then
 * Kafka, the dead-letter producer, the handler and the metrics server
 * together, and the ZooKeeper session last; each step bounded by
 * CLOSE_STEP_MS. Errors are logged by each part and ignored.
 */
export async function closePollerResources(
  r: Partial<PollerResources>,
  closeHandler?: () => void | Promise<void>,
  log?: Logger,
  keep: { metricsServer?: boolean } = {},
): Promise<void> {
  const step = (what: string, close: () => unknown) => closeWithin(what, close, log);
  r.health?.stop();
  r.resizeHold?.close();
  await step('leader election', () => r.coordinator?.close());
  await step('ranges', () => r.assigned?.close());
  await step('member node', () => r.membership?.deregister());
  await Promise.all([
    step('kafka source', () => r.source?.close()),
    step('dead-letter producer', () => r.dlq?.close()),
    step('handler', () => closeHandler?.()),
    step('metrics server', () => (keep.metricsServer ? undefined : r.metricsServer?.close())),
  ]);
  await step('zookeeper session', () => r.zk?.close());
}

async function closeWithin(what: string, close: () => unknown, log: Logger | undefined): Promise<void> {
  const closing = Promise.resolve().then(close);
  const done = await new StopBudget(systemClock, CLOSE_STEP_MS).settleWithin(closing);
  if (!done) log?.warn({ step: what, ms: CLOSE_STEP_MS }, 'closing step did not finish in time; going on without it');
}
