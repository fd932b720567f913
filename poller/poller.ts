import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { GroupPaths, validatePollerId, offsetToString, RetryAbortedError, type GroupConfig, type Offset, type SessionState } from '../coordinator/index.js';
import type { RingMessage } from './message.js';
import { createMetrics, type MetricsServer, type RingleaderMetrics } from './metrics.js';
import { PollerPipelines } from './poller-pipelines.js';
import { openPollerResources, closePollerResources, CLOSE_STEP_MS, CLOSING_BOUND_MS, type PollerResources } from './poller-resources.js';
import { markDraining, waitForHandOff } from './hand-off.js';
import { releaseForResize } from './resize-release.js';
import { canGrowInPlace, growInPlace } from './grow-in-place.js';
import { SplitEnds } from './split-ends.js';
import { startAgain } from './start-again.js';
import { StopBudget } from './stop-budget.js';
import { systemClock } from './clock.js';
import type { PollerOptions } from './poller-options.js';
import { StallDetector } from './stall-detector.js';
import { kafkaStatus, type PollerLifecycle, type PollerStatus } from './poller-status.js';

export type { PollerOptions } from './poller-options.js';
export type { PollerLifecycle, PollerStatus } from './poller-status.js';

/**
 * A poller: registers as a member, follows the assignment, holds the leases
 * of its ranges, consumes their Kafka partitions through a RangePipeline per
 * range, and commits acknowledged offsets fenced by each lease.
 *
 * Events: `acquired`, `released`, `lost`, `committed` {range, offset} (see
 * RangeOwnership), `drain-requested`, `resized` {from, to, inPlace} (follows
 * a resized group: grown in place, or started again), `closing` (a stop
 * began), `closed` (err?).
 */
export class Poller extends EventEmitter {
  readonly id: string;
  readonly metrics: RingleaderMetrics;
  private readonly opts: PollerOptions;
  private readonly log: Logger;
  private readonly paths: GroupPaths;
  private readonly pipelines: PollerPipelines;
  private state: PollerLifecycle = 'starting';
  /** Set once the start succeeded. */
  private resources: PollerResources | null = null;
  private starting: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  /** Set while the poller grows to (or starts again on) a resized group's new range count. */
  private restarting: Promise<void> | null = null;
  /** A resize seen while starting (or starting again on the previous one): acted on once that is done. */
  private pendingResize: GroupConfig | null = null;
  /** Why starting again after a resize failed (the poller stopped). */
  private restartFailure: unknown = null;
  private stopTimers: (() => void) | null = null;
  private handled = 0;
  private misplaced = 0;
  /** Old partitions of the last split not yet handled up to their split points here. */
  private splitEnds: SplitEnds | null = null;
  private readonly stalls: StallDetector;

  constructor(opts: PollerOptions) {
    super();
    this.opts = opts;
    this.id = validatePollerId(opts.id ?? `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}-${randomBytes(2).toString('hex')}`);
    this.paths = new GroupPaths(opts.group, opts.zkRoot);
    this.log = this.baseLogger().child({ component: 'poller', poller: this.id });
    const stallDefaultMs = 2 * (opts.sessionTimeoutMs ?? 10_000);
    this.stalls = new StallDetector({
      fetchStallMs: opts.fetchStallTimeoutMs ?? stallDefaultMs,
      handlerStallMs: opts.handlerStallTimeoutMs ?? stallDefaultMs,
    });
    this.metrics = createMetrics({
      sources: {
        inFlight: () => this.resources?.owned.inFlight() ?? 0,
        ownedRanges: () => this.resources?.owned.count() ?? 0,
        lag: () => this.resources?.owned.lags() ?? [][Symbol.iterator](),
        unhealthy: () => this.resources?.health.current()?.reason ?? null,
      },
    });
    this.pipelines = new PollerPipelines(opts, { stalls: this.stalls, metrics: this.metrics.pipelineEvents, logger: this.baseLogger(), finished: this.finished });
  }

  private baseLogger(): Logger {
    return this.opts.logger ?? pino({ level: 'silent' });
  }

  /** Connects, registers and starts consuming. Rejects with a clear error on bad config or unreachable servers. */
  start(): Promise<void> {
    if (this.starting) throw new Error('Poller.start() can only be called once');
    this.starting = this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    try {
      await this.open(undefined);
    } catch (err) {
      this.state = 'stopped';
      await Promise.resolve(this.opts.closeHandler?.()).catch(() => undefined);
      throw err;
    }
    this.state = 'running';
    const r = this.resources!;
    this.log.info({ topic: r.config.topic, ranges: r.config.ranges, coordinator: r.coordinator !== null, metricsUrl: r.metricsServer?.url }, 'poller started');
    this.takePendingResize();
  }

  /** Acts on a resize seen while the poller could not, unless the resources now open already run with its range count. */
  private takePendingResize(): void {
    const pending = this.pendingResize;
    this.pendingResize = null;
    if (pending && this.resources && pending.ranges !== this.resources.config.ranges) this.onResized(pending);
  }

  /** Opens resources (keeping `metricsServer` when given) and wires them to this poller. */
  private async open(metricsServer: MetricsServer | null | undefined): Promise<void> {
    const r = await openPollerResources(this.opts, {
      id: this.id,
      paths: this.paths,
      log: this.baseLogger(),
      newPipeline: this.pipelines.create,
      health: () => {
        const s = this.status();
        const working = s.zkConnected && s.kafka.connected && s.unhealthy === null && s.state !== 'stopped';
        // Starting again on a resize takes a moment and is no reason to be replaced.
        return { ok: working || (this.restarting !== null && s.state === 'running'), ...s };
      },
      stalls: this.stalls,
      onHealthChange: (now, before) => {
        if (now) this.metrics.unhealthyMarks.inc({ reason: now.reason });
        this.emit(now ? 'unhealthy' : 'healthy', now ?? before);
      },
      registry: this.metrics.registry,
      onHandoff: (ms) => this.metrics.handoffSeconds.observe(ms / 1000),
      onMisplaced: this.countMisplaced,
      onDrainRequested: () => {
        this.emit('drain-requested');
        void this.close();
      },
      onResized: (config) => this.onResized(config),
      onHoldLines: (lines) => this.onHoldLines(lines),
      // On a microtask: the hold's own bookkeeping finishes before handlers run.
      onGateReleased: () => queueMicrotask(() => this.tick()),
      ...(metricsServer !== undefined ? { metricsServer } : {}),
    });
    this.resources = r;
    this.splitEnds = r.config.split ? SplitEnds.of(r.config) : null;
    this.forwardOwnershipEvents(r);
    r.zk.on('state', this.onSession);
    // The gate can reopen without an event (a ping succeeding after a
    // stall), so a short ticker resumes parked pipelines and backpressure.
    const ticker = setInterval(() => this.tick(), 50);
    const lagTimer = setInterval(() => void this.sampleLag(), 5_000);
    lagTimer.unref();
    this.stopTimers = () => {
      clearInterval(ticker);
      clearInterval(lagTimer);
    };
  }

  /**
   * The group's range count changed (a resize cut over, docs/design.md
   * "Growing a group"). Normally the poller grows in place: its ranges keep
   * flowing below their split points, and the order barriers hold what lies
   * past them until their parent partition is drained. A poller that missed
   * the split (or fails to grow) lets what is in flight finish, releases
   * every range with a final commit, and starts again (same id, same metrics
   * server) on the new count. A stop asked for meanwhile waits for either.
   */
  private onResized(config: GroupConfig): void {
    // Starting, or resized again while starting again (the new resources read the older config): once that is done.
    if (this.state === 'starting' || this.restarting) {
      this.pendingResize = config;
      return;
    }
    if (this.state !== 'running' || this.closing) return;
    const r = this.resources!;
    const change = canGrowInPlace(r.config, config) ? this.grow(r, config) : this.restart(r, config);
    this.restarting = change.finally(() => {
      this.restarting = null;
      this.takePendingResize();
    });
  }

  /**
   * A cut-over's split points are known (the marker's ends): a partition
   * handled up to one is committed at once, so the ranges behind it need not
   * wait for that commit once the pollers grow. Harmless if the resize rolls
   * back: it is an ordinary commit. Null: the cut-over is over.
   */
  private onHoldLines(lines: readonly Offset[] | null): void {
    const r = this.resources;
    if (!r) return;
    this.splitEnds = lines ? new SplitEnds(lines) : r.config.split ? SplitEnds.of(r.config) : null;
    if (lines && this.splitEnds?.reachedAlready(r.owned)) r.assigned.commitNow();
  }

  private async grow(r: PollerResources, config: GroupConfig): Promise<void> {
    const from = r.config.ranges;
    const began = Date.now();
    // Before the gate opens: the first messages handled may already reach their split points.
    this.splitEnds = SplitEnds.of(config);
    if (this.splitEnds.reachedAlready(r.owned)) r.assigned.commitNow();
    try {
      await growInPlace(r, config, this.paths, this.baseLogger(), this.countMisplaced);
    } catch (err) {
      if (this.closing) return;
      this.log.warn({ err, from, to: config.ranges }, 'cannot grow in place; starting again on the new range count');
      return this.restart(r, config);
    }
    this.log.info({ from, to: config.ranges, ms: Date.now() - began }, 'grew in place to the new range count');
    this.emit('resized', { from, to: config.ranges, inPlace: true });
  }

  private async restart(r: PollerResources, config: GroupConfig): Promise<void> {
    const from = r.config.ranges;
    const began = Date.now();
    this.log.info({ from, to: config.ranges }, 'the group was resized: releasing every range and starting again with the new range count');
    await releaseForResize(r, config, this.opts.drainTimeoutMs ?? 30_000, this.log);
    this.stopTimers?.();
    r.zk.off('state', this.onSession);
    await closePollerResources(r, undefined, this.log, { metricsServer: true });
    try {
      await startAgain(() => this.open(r.metricsServer), () => !this.closing, this.log);
    } catch (e) {
      const err = e instanceof RetryAbortedError ? e.lastError : e;
      this.log.error({ err }, 'cannot start again after the resize; stopping');
      this.state = 'stopped';
      await r.metricsServer?.close().catch(() => undefined);
      await Promise.resolve(this.opts.closeHandler?.()).catch(() => undefined);
      this.restartFailure = err;
      if (this.closing) return; // a stop asked for meanwhile ends with this error
      this.closing = Promise.resolve();
      this.emit('closing');
      this.emit('closed', err);
      return;
    }
    this.log.info({ ranges: config.ranges, ms: Date.now() - began }, 'started again on the resized group');
    this.emit('resized', { from, to: this.resources!.config.ranges, inPlace: false });
  }

  private readonly countMisplaced = (): void => {
    this.misplaced++;
    this.metrics.misplacedMessages.inc();
  };

  private forwardOwnershipEvents(r: PollerResources): void {
    const ownership = r.assigned.ownership;
    for (const event of ['acquired', 'released', 'lost'] as const) ownership.on(event, (e) => this.emit(event, e));
    ownership.on('committed', (e: { range: number; offset: number }) => {
      this.metrics.commits.inc();
      // Offsets leave the process as decimal strings.
      this.emit('committed', { range: e.range, offset: offsetToString(e.offset) });
    });
    ownership.on('commit-failed', () => this.metrics.commitFailures.inc());
  }

  /** A message is finished (handled, or dead-lettered): progress, our count (handled), and the split point it may have reached. */
  private readonly finished = (msg: RingMessage, handled: boolean): void => {
    const r = this.resources;
    if (handled) this.handled++;
    if (!r) return;
    r.assigned.progressed();
    // After the pipeline took the message as done (right after this call): then its offset is committable.
    if (this.splitEnds?.waiting) queueMicrotask(() => this.commitAtSplitPoint(msg.partition));
  };

  private commitAtSplitPoint(partition: number): void {
    const r = this.resources;
    if (r && this.splitEnds?.reached(partition, r.owned)) r.assigned.commitNow();
  }

  private readonly onSession = (s: SessionState) => {
    if (s.type === 'reconnected' || s.type === 'session') this.tick();
  };

  private tick(): void {
    const r = this.resources;
    if (!r) return;
    const gate = r.gate.poll();
    if (gate.reopened && gate.resume) this.log.info({}, 'resuming');
    else if (gate.closed && !gate.held && this.state === 'running') {
      this.log.warn({ deadline: new Date(r.zk.deadline()).toISOString() }, 'cannot prove range ownership: pausing processing');
    }
    r.owned.tick(gate.resume);
  }

  private async sampleLag(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      await this.resources?.owned.sampleLag();
    } catch (err) {
      this.log.debug({ err }, 'cannot sample lag');
    }
  }

  status(): PollerStatus {
    const r = this.resources;
    return {
      id: this.id,
      group: this.opts.group,
      state: this.state,
      ranges: r?.owned.consuming() ?? [],
      zkConnected: r?.zk.connected ?? false,
      withinDeadline: r?.zk.withinDeadline() ?? false,
      kafka: kafkaStatus(r),
      unhealthy: r?.health.current() ?? null,
      handled: this.handled,
      misplaced: this.misplaced,
    };
  }

  /** Ranges this poller holds right now. */
  ownedRanges(): number[] {
    return this.resources?.assigned.ownedRanges() ?? [];
  }

  /**
   * Graceful stop (docs/design.md "Graceful stop"): mark ourselves draining,
   * give up leadership, let the coordinator move our ranges away (each
   * released with a final commit), then leave. When no other poller is
   * active or the drain timeout passes, release whatever is left. Cached:
   * calling it twice returns the same promise. A stop during start-up waits
   * for the start to settle, then drains what it built (or nothing).
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.emit('closing');
    this.closing = (this.starting ?? Promise.resolve()).then(
      async () => {
        while (this.restarting) await this.restarting;
        if (this.restartFailure) throw this.restartFailure;
        if (this.state === 'running') await this.drain();
      },
      () => undefined,
    );
    void this.closing.then(
      () => this.emit('closed'),
      (err) => this.emit('closed', err),
    );
    return this.closing;
  }

  /**
   * The longest a stop takes (docs/design.md "Graceful stop"): the drain
   * timeout, then the final commits' budget (the session timeout), then
   * closing, each of its steps bounded.
   */
  get stopBoundMs(): number {
    return (this.opts.drainTimeoutMs ?? 30_000) + (this.opts.sessionTimeoutMs ?? 10_000) + CLOSING_BOUND_MS;
  }

  private async drain(): Promise<void> {
    const r = this.resources;
    if (this.state !== 'running' || !r) return this.shutdown();
    this.state = 'draining';
    const timeoutMs = this.opts.drainTimeoutMs ?? 30_000;
    const budget = new StopBudget(systemClock, timeoutMs);
    this.log.info({ ranges: this.ownedRanges().length, timeoutMs, stopBoundMs: this.stopBoundMs }, 'draining');
    await markDraining(r, budget, this.log);
    if (r.coordinator) await budget.settleWithin(r.coordinator.close());
    await waitForHandOff(r, this.paths, this.id, budget);
    const left = this.ownedRanges();
    if (left.length > 0) {
      this.log.info({ ranges: left }, budget.spent() ? 'drain deadline reached' : 'no other poller active: releasing what is left');
    }
    // Whatever is left gets the rest of the drain timeout, not a fresh one
    // (at the deadline: nothing more starts, in-flight work is abandoned).
    await r.assigned.close(budget.left());
    this.log.info({ handled: this.handled }, 'drained: every range released');
    await this.shutdown();
  }

  private async shutdown(): Promise<void> {
    this.state = 'stopped';
    this.stopTimers?.();
    const r = this.resources;
    if (!r) return;
    r.zk.off('state', this.onSession);
    this.log.info({ stepMs: CLOSE_STEP_MS }, 'closing');
    await closePollerResources(r, this.opts.closeHandler, this.log);
    this.log.info({}, 'poller stopped');
  }
}

export function createPoller(opts: PollerOptions): Poller {
  return new Poller(opts);
}
