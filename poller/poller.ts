import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Kafka } from 'kafkajs';
import { pino, type Logger } from 'pino';
import {
  ZkSession,
  GroupPaths,
  validatePollerId,
  readGroupConfig,
  checkConfigMatches,
  Membership,
  Coordinator,
  AssignmentFollower,
  readMembers,
  type RangeWorker,
  type OffsetRecord,
  type SessionState,
  type ZkSessionOptions,
} from '../coordinator/index.js';
import { createKafka } from './kafka-client.js';
import type { KafkaSecurity } from './kafka-security.js';
import { createKafkajsSource, type RangeSource, type SourceMessage } from './kafka-source.js';
import { describeTopic } from './kafka-admin.js';
import { createDeadLetterPublisher, type DeadLetterPublisher } from './dead-letter.js';
import { RangePipeline, type RangePipelineEvents } from './range-pipeline.js';
import { InFlightBudget } from './in-flight-budget.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './retry.js';
import type { Handler, RingMessage } from './message.js';
import { createCountingHandler } from './handlers/counting-handler.js';
import { createMetrics, startMetricsServer, type MetricsServer, type RingleaderMetrics } from './metrics.js';
import { FencingGate } from './fencing-gate.js';

export interface PollerOptions {
  /** ZooKeeper connect string. */
  zk: string;
  group: string;
  zkRoot?: string;
  brokers: string[];
  topic: string;
  /** Unique within the group; default `<host>-<pid>-<random>`. */
  id?: string;
  weight?: number;
  /** Default: acknowledge and count. */
  handler?: Handler;
  /** Called on close (e.g. to close the sidecar's connections). */
  closeHandler?: () => void | Promise<void>;
  concurrency?: number;
  /** Cap on handler calls in flight across all ranges of this poller (default: no cap beyond concurrency per range). */
  maxInFlight?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  commitIntervalMs?: number;
  drainTimeoutMs?: number;
  settleMs?: number;
  /** Take part in leader election (DESIGN.md: every poller is a candidate unless --no-coordinator). */
  coordinator?: boolean;
  /** Serve /metrics and /healthz; 0 = any free port; undefined = off. */
  metricsPort?: number;
  metricsHost?: string;
  /** Where to start a range that has no committed offset yet. */
  from?: 'earliest' | 'latest';
  /** Above this many queued messages a range's fetching is paused. */
  maxQueuedPerRange?: number;
  logger?: Logger;
  /** Inject a kafkajs client (tests, or custom SASL/TLS settings). */
  kafka?: Kafka;
  /** SASL/TLS of the kafkajs client made here (ignored with `kafka`). */
  kafkaSecurity?: KafkaSecurity;
  /** ZooKeeper digest credentials and ACLs (coordinator/acl.ts `zkSecurityOptions`). */
  zkSecurity?: Pick<ZkSessionOptions, 'auth' | 'acls' | 'parentAcls'>;
}

export interface PollerStatus {
  id: string;
  group: string;
  state: 'starting' | 'running' | 'draining' | 'stopped';
  ranges: number[];
  zkConnected: boolean;
  withinDeadline: boolean;
  kafka: { connected: boolean; lastError?: string };
  handled: number;
}

/**
 * A poller: registers as a member, follows the assignment, holds the leases
 * of its ranges, consumes their Kafka partitions through a RangePipeline per
 * range, and commits acknowledged offsets fenced by each lease.
 */
export class Poller extends EventEmitter {
  readonly id: string;
  readonly metrics: RingleaderMetrics;
  private readonly opts: PollerOptions;
  private readonly log: Logger;
  private readonly paths: GroupPaths;
  private zk!: ZkSession;
  private source!: RangeSource;
  private dlq!: DeadLetterPublisher;
  private membership!: Membership;
  private follower!: AssignmentFollower;
  private coordinator: Coordinator | null = null;
  private metricsServer: MetricsServer | null = null;
  private readonly pipelines = new Map<number, RangePipeline>();
  /** Messages that arrived for a range before its pipeline learned its start offset. */
  private readonly early = new Map<number, RingMessage[]>();
  private readonly heldBack = new Set<number>();
  private handler: Handler;
  private readonly budget: InFlightBudget | undefined;
  private handled = 0;
  private state: PollerStatus['state'] = 'starting';
  private readonly gate = new FencingGate(() => this.zk.withinDeadline());
  private ticker: NodeJS.Timeout | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private lastLag = new Map<number, number>();
  private closing: Promise<void> | null = null;
  private starting: Promise<void> | null = null;
  private shutdown: Promise<void> | null = null;
  private ranges = 0;

  constructor(opts: PollerOptions) {
    super();
    this.opts = opts;
    this.id = validatePollerId(opts.id ?? `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}-${randomBytes(2).toString('hex')}`);
    this.paths = new GroupPaths(opts.group, opts.zkRoot);
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'poller', poller: this.id });
    this.handler = opts.handler ?? createCountingHandler().handle;
    this.budget = opts.maxInFlight !== undefined ? new InFlightBudget(opts.maxInFlight) : undefined;
    this.metrics = createMetrics({
      sources: {
        inFlight: () => {
          let n = 0;
          for (const p of this.pipelines.values()) n += p.inFlight();
          return n;
        },
        ownedRanges: () => this.pipelines.size,
        lag: () => this.lastLag.entries(),
      },
    });
  }

  /** Connects, registers and starts consuming. Rejects with a clear error on bad config or unreachable servers. */
  start(): Promise<void> {
    if (this.starting) throw new Error('Poller.start() can only be called once');
    this.starting = this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const o = this.opts;
    const log = o.logger ?? pino({ level: 'silent' });
    this.zk = new ZkSession({
      connect: o.zk,
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
      connectTimeoutMs: o.connectTimeoutMs ?? 30_000,
      logger: log,
      ...o.zkSecurity,
    });
    await this.zk.start();
    try {
      const config = await readGroupConfig(this.zk, this.paths);
      checkConfigMatches(config, { topic: o.topic }, o.group);
      this.ranges = config.ranges;

      const kafka = o.kafka ?? createKafka({ brokers: o.brokers, clientId: `ringleader-${this.id}`, logger: log, ...(o.kafkaSecurity ? { security: o.kafkaSecurity } : {}) });
      const partitions = await describeTopic(kafka, config.topic);
      if (partitions !== config.ranges) {
        throw new Error(`topic "${config.topic}" has ${partitions} partitions but group "${o.group}" has ${config.ranges} ranges`);
      }
      this.dlq = createDeadLetterPublisher({ kafka, topic: config.topic, logger: log });
      this.source = createKafkajsSource({
        kafka,
        topic: config.topic,
        groupId: `ringleader.${o.group}.${this.id}`,
        partitions,
        logger: log,
      });
      this.source.onMessages((range, messages) => this.dispatch(range, messages));
      await this.source.start();

      let metricsUrl: string | undefined;
      if (o.metricsPort !== undefined) {
        this.metricsServer = await startMetricsServer({
          port: o.metricsPort,
          ...(o.metricsHost ? { host: o.metricsHost } : {}),
          registry: this.metrics.registry,
          health: () => {
            const s = this.status();
            return { ok: s.zkConnected && s.kafka.connected && s.state !== 'stopped', ...s };
          },
          logger: log,
        });
        metricsUrl = this.metricsServer.url;
      }

      this.membership = new Membership(this.zk, this.paths, {
        id: this.id,
        host: os.hostname(),
        pid: process.pid,
        weight: o.weight ?? 1,
        state: 'active',
        startedAt: new Date().toISOString(),
        ...(metricsUrl ? { metricsUrl } : {}),
      }, log);
      this.membership.on('drain-requested', () => {
        this.emit('drain-requested');
        void this.close();
      });
      await this.membership.register();

      this.follower = new AssignmentFollower({
        zk: this.zk,
        paths: this.paths,
        pollerId: this.id,
        ranges: config.ranges,
        worker: this.worker,
        commitIntervalMs: o.commitIntervalMs ?? 500,
        logger: log,
      });
      this.follower.on('acquired', (e) => this.emit('acquired', e));
      this.follower.on('released', (e) => this.emit('released', e));
      this.follower.on('lost', (e) => this.emit('lost', e));
      this.follower.on('committed', (e) => {
        this.metrics.commits.inc();
        this.emit('committed', e);
      });
      this.follower.on('commit-failed', () => this.metrics.commitFailures.inc());
      await this.follower.start();

      if (o.coordinator !== false) {
        this.coordinator = new Coordinator({ zk: this.zk, paths: this.paths, id: this.id, settleMs: o.settleMs ?? 200, logger: log });
        await this.coordinator.start();
      }
      this.zk.on('state', this.onSession);
      // The gate can reopen without an event (a ping succeeding after a
      // stall), so a short ticker resumes parked pipelines and backpressure.
      this.ticker = setInterval(() => this.tick(), 50);
      this.lagTimer = setInterval(() => void this.sampleLag(), 5_000);
      this.lagTimer.unref();
      this.state = 'running';
      this.log.info({ topic: config.topic, ranges: config.ranges, coordinator: o.coordinator !== false, metricsUrl }, 'poller started');
    } catch (err) {
      await this.shutdownResources().catch(() => undefined);
      throw err;
    }
  }

  private readonly onSession = (s: SessionState) => {
    if (s.type === 'reconnected' || s.type === 'session') this.tick();
  };

  /** Self-fencing (DESIGN.md): no message starts unless ZooKeeper answered us recently enough. */
  private readonly canStart = this.gate.canStart;

  private tick(): void {
    const gate = this.gate.poll();
    if (gate.resume) {
      if (gate.reopened) this.log.info({}, 'ZooKeeper reachable again: resuming');
      for (const p of this.pipelines.values()) p.resume();
    } else if (gate.closed && this.state === 'running') {
      this.log.warn({ deadline: new Date(this.zk.deadline()).toISOString() }, 'cannot prove range ownership: pausing processing');
    }
    const low = this.maxQueued() / 2;
    for (const range of this.heldBack) {
      const p = this.pipelines.get(range);
      if (!p) {
        this.heldBack.delete(range);
      } else if (p.queued() <= low) {
        this.heldBack.delete(range);
        this.source.resume(range);
      }
    }
  }

  private maxQueued(): number {
    return this.opts.maxQueuedPerRange ?? 2_000;
  }

  private dispatch(range: number, msgs: SourceMessage[]): void {
    const p = this.pipelines.get(range);
    if (!p) {
      const buf = this.early.get(range);
      if (buf) buf.push(...msgs);
      return;
    }
    p.push(msgs);
    if (p.queued() > this.maxQueued() && !this.heldBack.has(range)) {
      this.heldBack.add(range);
      this.source.pause(range);
    }
  }

  /** How the follower drives Kafka for the ranges whose lease we hold. */
  private readonly worker: RangeWorker = {
    start: async (range: number, from: OffsetRecord | null) => {
      this.early.set(range, []);
      let startAt: string;
      try {
        startAt = await this.source.assign(range, from?.offset ?? this.opts.from ?? 'earliest');
      } catch (err) {
        this.early.delete(range);
        throw err;
      }
      const pipeline = new RangePipeline({
        range,
        topic: this.opts.topic,
        concurrency: this.opts.concurrency ?? 1,
        maxAttempts: this.opts.maxAttempts ?? 5,
        backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
        handler: this.handler,
        deadLetter: (msg, error, attempts) => this.dlq.publish(msg, error, attempts),
        canStart: this.canStart,
        ...(this.budget ? { budget: this.budget } : {}),
        logger: this.opts.logger ?? pino({ level: 'silent' }),
        events: this.pipelineEvents,
      });
      pipeline.start(Number(startAt));
      this.pipelines.set(range, pipeline);
      const early = this.early.get(range) ?? [];
      this.early.delete(range);
      if (early.length) pipeline.push(early);
    },
    stop: async (range: number, timeoutMs?: number) => {
      this.source.revoke(range);
      this.heldBack.delete(range);
      this.early.delete(range);
      const p = this.pipelines.get(range);
      if (!p) return null;
      const started = Date.now();
      const offset = await p.release(timeoutMs ?? this.opts.drainTimeoutMs ?? 30_000);
      this.pipelines.delete(range);
      this.lastLag.delete(range);
      this.metrics.handoffSeconds.observe((Date.now() - started) / 1000);
      return String(offset);
    },
    lost: (range: number) => {
      this.source.revoke(range);
      this.heldBack.delete(range);
      this.early.delete(range);
      this.pipelines.get(range)?.abort();
      this.pipelines.delete(range);
      this.lastLag.delete(range);
    },
    committable: (range: number) => {
      const p = this.pipelines.get(range);
      return p ? String(p.committable()) : null;
    },
  };

  /** Metrics' pipeline events plus our own count of acknowledged messages. */
  private get pipelineEvents(): RangePipelineEvents {
    const m = this.metrics.pipelineEvents;
    return {
      ...m,
      handled: (msg, ms) => {
        this.handled++;
        m.handled?.(msg, ms);
      },
    };
  }

  private async sampleLag(): Promise<void> {
    if (this.state !== 'running' || this.pipelines.size === 0) return;
    try {
      const ends = await this.source.endOffsets();
      for (const [range, p] of this.pipelines) {
        const end = ends.get(range);
        if (end !== undefined) this.lastLag.set(range, Math.max(0, Number(end) - p.committable()));
      }
    } catch (err) {
      this.log.debug({ err }, 'cannot sample lag');
    }
  }

  status(): PollerStatus {
    return {
      id: this.id,
      group: this.opts.group,
      state: this.state,
      ranges: [...this.pipelines.keys()].sort((a, b) => a - b),
      zkConnected: this.zk?.connected ?? false,
      withinDeadline: this.zk?.withinDeadline() ?? false,
      kafka: this.source?.health() ?? { connected: false },
      handled: this.handled,
    };
  }

  /** Ranges this poller holds right now. */
  ownedRanges(): number[] {
    return this.follower?.ownedRanges() ?? [];
  }

  /**
   * Graceful stop (DESIGN.md "Graceful stop"): mark ourselves draining, give
   * up leadership, let the coordinator move our ranges away (each released
   * with a final commit), then leave. When no other poller is active or the
   * drain timeout passes, release whatever is left. Cached: calling it twice
   * returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    // A stop during start-up waits for the start to settle, then drains
    // what it built (or nothing, if the start failed).
    const started = this.starting ?? Promise.resolve();
    this.closing = started.then(
      () => this.drain(),
      () => this.shutdownResources(),
    );
    void this.closing.then(
      () => this.emit('closed'),
      (err) => this.emit('closed', err),
    );
    return this.closing;
  }

  private async drain(): Promise<void> {
    if (this.state !== 'running') {
      await this.shutdownResources();
      return;
    }
    this.state = 'draining';
    const timeoutMs = this.opts.drainTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    this.log.info({ ranges: this.ownedRanges().length, timeoutMs }, 'draining');
    try {
      await this.membership.setState('draining');
    } catch (err) {
      this.log.warn({ err }, 'cannot mark ourselves draining; releasing directly');
    }
    await this.coordinator?.close().catch(() => undefined);
    this.coordinator = null;
    while (Date.now() < deadline && this.ownedRanges().length > 0) {
      if (!(await this.othersActive())) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Whatever is left gets the rest of the drain timeout, not a fresh one.
    await this.follower.close(Math.max(0, deadline - Date.now()));
    this.log.info({ handled: this.handled }, 'drained: every range released');
    await this.shutdownResources();
  }

  private async othersActive(): Promise<boolean> {
    try {
      const { members } = await readMembers(this.zk, this.paths);
      return members.some((m) => m.id !== this.id && m.state === 'active');
    } catch {
      return true; // can't tell: keep waiting until the timeout
    }
  }

  private shutdownResources(): Promise<void> {
    this.shutdown ??= this.releaseEverything();
    return this.shutdown;
  }

  private async releaseEverything(): Promise<void> {
    this.state = 'stopped';
    if (this.ticker) clearInterval(this.ticker);
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.zk?.off('state', this.onSession);
    await this.coordinator?.close().catch(() => undefined);
    await this.follower?.close().catch(() => undefined);
    await this.membership?.deregister().catch(() => undefined);
    await this.source?.close().catch(() => undefined);
    await this.dlq?.close().catch(() => undefined);
    await Promise.resolve(this.opts.closeHandler?.()).catch(() => undefined);
    await this.metricsServer?.close().catch(() => undefined);
    await this.zk?.close().catch(() => undefined);
    this.log.info({}, 'poller stopped');
  }
}

export function createPoller(opts: PollerOptions): Poller {
  return new Poller(opts);
}
