import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Admin, Kafka } from 'kafkajs';
import { ZkSession, GroupPaths, GroupWatcher, type GroupSnapshot, type GroupEvent } from '../../coordinator/index.js';
import { infraHome } from '../../infra/index.js';
import { produceLoadToGroup, type KafkaClientName, type ProduceResult } from '../../poller/index.js';
import { runCreate } from '../actions/create.js';
import { runDrain } from '../actions/drain.js';
import { runResize } from '../actions/resize.js';
import { cliKafka } from '../actions/kafka.js';
import { onStopSignals } from '../signals.js';
import { committedTotal } from '../views/watch-view.js';
import { demoServers, type DemoServers } from './servers.js';
import { RecordTally } from './records.js';
import { DemoPollers } from './pollers.js';
import { MoveTimer } from './measure.js';
import { watchLeases } from './lease-watch.js';
import { DemoRates } from './rates.js';
import { demoScript, type Step } from './script.js';
import { LiveView } from './live-view.js';
import { DemoProgress } from './progress.js';
import { Interrupted, StopSwitch } from './stop-switch.js';
import type { DemoSummary } from './summary.js';
import { demoLogger, demoName } from './run-identity.js';

export interface DemoOptions {
  /** No live view; logs as JSON on stderr. */
  ci: boolean;
  zk?: string;
  brokers?: string[];
  /** Start own servers even when others answer. */
  freshServers: boolean;
  stepSeconds: number;
  rate: number;
  keys: number;
  ranges: number;
  sessionTimeout: number;
  /** Bound of each wait (convergence, catch-up, poller stop). */
  waitTimeout: number;
  logLevel: string;
  /** The Kafka client library of the pollers (the producer follows the group through kafkajs). */
  kafkaClient: KafkaClientName;
}

const CONNECT_TIMEOUT_MS = 30_000;
const ZK_ROOT = '/ringleader';
/** The pollers the script starts with, and the ones it joins, kills and drains. */
const FIRST_POLLERS = ['poller-1', 'poller-2', 'poller-3'];
const CAST = { victim: 'poller-2', drained: 'poller-3', joiner: 'poller-4' };

/**
 * `ringleader demo`: servers, a fresh topic and group, 3 poller processes and
 * a steady producer (a ring producer that follows the group), then the
 * script of demoScript() (join, kill -9, drain, resize, finish), the live
 * view, and a summary checked against the records each poller wrote. Everything it started is stopped on the way out, signals
 * included.
 */
export async function runDemo(o: DemoOptions, say: (line: string) => void): Promise<DemoSummary> {
  const demo = new Demo(o, say);
  const removeSignals = onStopSignals((signal) => {
    demo.log.warn({ signal }, 'stop requested: stopping everything the demo started');
    demo.stop.stop();
  }, demo.log);
  demo.startSampling();
  try {
    await demo.play();
  } catch (err) {
    demo.failed(err);
  } finally {
    await demo.tearDown();
    removeSignals();
  }
  return demo.summary();
}

/** The servers and clients the script uses, once all are up. */
interface Connected {
  servers: DemoServers;
  kafka: Kafka;
  admin: Admin;
  zk: ZkSession;
}

/** One run of the demo: its steps in the order they play, then the teardown and the summary. */
class Demo {
  readonly name = demoName();
  readonly runDir: string;
  readonly live: boolean;
  /** Components make their own child loggers from `root`; the demo's own lines carry component=demo. */
  readonly root: Logger;
  readonly log: Logger;
  readonly stop = new StopSwitch();
  private readonly started = Date.now();
  private readonly tally = new RecordTally();
  private readonly progress = new DemoProgress();
  private readonly rates = new DemoRates();
  private readonly pollers: DemoPollers;
  private readonly produceStop = new AbortController();
  private readonly paths: GroupPaths;
  private readonly script: Step[];
  private readonly stepMs: number;
  /** What is up so far, for the teardown. */
  private readonly opened: Partial<Connected> & { watcher?: GroupWatcher } = {};
  private liveView: LiveView | undefined;
  private producing: Promise<ProduceResult> | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private error: string | undefined;
  private interrupted = false;

  constructor(
    private readonly o: DemoOptions,
    private readonly say: (line: string) => void,
  ) {
    this.runDir = join(infraHome(), 'demo', this.name);
    mkdirSync(this.runDir, { recursive: true });
    this.live = !o.ci && process.stdout.isTTY === true;
    this.root = demoLogger(this.live, o.logLevel, this.runDir);
    this.log = this.root.child({ component: 'demo' });
    this.stop.signal.addEventListener('abort', () => this.produceStop.abort(), { once: true });
    this.paths = new GroupPaths(this.name);
    this.pollers = new DemoPollers({ group: this.name, topic: this.name, sessionTimeoutMs: o.sessionTimeout, runDir: this.runDir, kafkaClient: o.kafkaClient }, this.tally, this.log);
    this.script = demoScript({ ...CAST, sessionTimeoutMs: o.sessionTimeout, ranges: o.ranges });
    this.stepMs = o.stepSeconds * 1000;
  }

  /** Samples the rates every 250 ms, until the teardown. */
  startSampling(): void {
    this.sampler = setInterval(() => {
      this.tally.poll();
      const latest = this.progress.latest;
      this.rates.sample({
        produced: this.progress.produced,
        handled: this.tally.deliveries,
        perPoller: this.tally.perPoller(),
        committed: latest ? committedTotal(latest) : null,
      });
    }, 250);
  }

  async play(): Promise<void> {
    const c = await this.connect();
    for (const id of FIRST_POLLERS) this.pollers.start(id, c.servers);
    this.say(`started ${FIRST_POLLERS.join(', ')}; waiting until they share the ranges...`);
    await this.until('3 pollers to share the ranges', settled(3));
    if (this.live) this.startLiveView(c);
    try {
      const producing = this.startProducing(c);
      await this.join(c.servers);
      await this.kill(c.zk);
      await this.drain(c);
      await this.resize(c);
      await this.finish(producing);
    } finally {
      this.liveView?.stopEndOffsets();
    }
  }

  /** The servers, the topic and group, and the clients that watch them. */
  private async connect(): Promise<Connected> {
    const { o, name, opened } = this;
    this.say(`ringleader demo: group and topic ${name}; logs and records under ${this.runDir}`);
    const servers = (opened.servers = await demoServers({ ...(o.zk ? { zk: o.zk } : {}), ...(o.brokers ? { brokers: o.brokers } : {}), freshServers: o.freshServers }, this.log));
    this.stop.check();
    this.say(`servers: ZooKeeper ${servers.zk}, Kafka ${servers.brokers.join(',')} (${servers.source === 'started' ? 'started for this demo' : `from ${servers.source}`})`);
    await runCreate({ zk: servers.zk, zkRoot: ZK_ROOT, connectTimeout: CONNECT_TIMEOUT_MS, group: name, topic: name, ranges: o.ranges, brokers: servers.brokers, kafkaClient: o.kafkaClient }, this.root);
    this.say(`created topic ${name} with ${o.ranges} partitions = ranges, and group ${name}`);
    this.stop.check();

    const kafka = cliKafka(servers.brokers, this.root, 'ringleader-demo');
    const admin = (opened.admin = kafka.admin());
    await admin.connect();
    const zk = (opened.zk = new ZkSession({ connect: servers.zk, connectTimeoutMs: CONNECT_TIMEOUT_MS, logger: this.root }));
    await zk.start();
    const watcher = (opened.watcher = new GroupWatcher({ zk, paths: this.paths, refreshMs: 500, logger: this.root }));
    watcher.on('snapshot', (s: GroupSnapshot) => this.progress.observe(s));
    watcher.on('event', (e: GroupEvent) => this.progress.event(e));
    await watcher.start();
    return { servers, kafka, admin, zk };
  }

  private startLiveView(c: Connected): void {
    this.liveView = new LiveView({
      group: this.name,
      topic: this.name,
      servers: c.servers,
      script: this.script,
      stepMs: this.stepMs,
      progress: this.progress,
      rates: this.rates,
      tally: this.tally,
      pollers: () => this.pollers.list(),
      admin: c.admin,
      log: this.log,
      onQuit: () => this.stop.stop(),
    });
    this.liveView.start();
  }

  /** Step 0: the producer starts, and the script's clock with it. It follows the group (a resize pauses it, then it sends with the new range count). */
  private startProducing(c: Connected): Promise<ProduceResult> {
    const { o, progress } = this;
    progress.t0 = Date.now();
    this.beginStep(0);
    const producing = (this.producing = produceLoadToGroup({ zk: c.servers.zk, zkRoot: ZK_ROOT, group: this.name, kafka: c.kafka, id: 'demo-producer', logger: this.root }, (topic) => ({
      topic,
      count: Math.ceil(o.rate * o.stepSeconds * this.script.length * 2) + 1_000,
      keys: o.keys,
      size: 200,
      rate: o.rate,
      signal: this.produceStop.signal,
      logger: this.root,
      onProgress: (p) => (progress.produced = p.sent),
    })));
    producing.then(
      (r) => (progress.produced = r.sent),
      () => undefined,
    );
    return producing;
  }

  private async join(servers: DemoServers): Promise<void> {
    await this.atStep(1);
    this.pollers.start(CAST.joiner, servers);
    await this.until(`${CAST.joiner} to get its ranges`, settled(4));
  }

  private async kill(zk: ZkSession): Promise<void> {
    await this.atStep(2);
    const victim = this.pollers.letGo(CAST.victim);
    const kill = (this.progress.kill = new MoveTimer(victim.id, MoveTimer.heldBy(this.progress.latest, victim.id), Date.now()));
    watchLeases(zk, this.paths, kill, this.log);
    await victim.kill();
    this.log.info({ poller: victim.id, ranges: kill.ranges }, 'killed with SIGKILL');
    await this.until(`${victim.id}'s session to expire and its ranges to move`, () => kill.done);
    if (!this.live) this.say(`  recovered ${kill.ranges.length} ranges of ${victim.id} in ${kill.totalMs} ms: ${kill.moves().join(' ')}`);
    await this.until('the group to converge', settled(3));
  }

  private async drain(c: Connected): Promise<void> {
    const { o } = this;
    await this.atStep(3);
    const drained = this.pollers.letGo(CAST.drained);
    const drain = (this.progress.drain = new MoveTimer(drained.id, MoveTimer.heldBy(this.progress.latest, drained.id), Date.now()));
    watchLeases(c.zk, this.paths, drain, this.log);
    // `ringleader drain` marks it draining; the poller process exiting is
    // the proof that it is done (so no --wait here).
    await runDrain(
      { zk: c.servers.zk, zkRoot: ZK_ROOT, connectTimeout: CONNECT_TIMEOUT_MS, group: this.name, pollerId: drained.id, wait: false, timeout: o.waitTimeout },
      this.log,
    );
    await this.until(`${drained.id} to hand off its ranges`, () => drain.done);
    await Promise.race([drained.exited, this.stop.pause(o.waitTimeout)]);
    if (drained.running) throw new Error(`${drained.id} did not exit within ${o.waitTimeout} ms of being drained; see ${drained.options.logFile}`);
    if (!this.live) this.say(`  ${drained.id} handed off ${drain.ranges.length} ranges in ${drain.totalMs} ms, longest pause ${drain.maxPauseMs} ms: ${drain.moves().join(' ')}`);
    await this.until('the group to converge', settled(2));
  }

  /** `ringleader resize` to twice the ranges, while the producer and the pollers run. */
  private async resize(c: Connected): Promise<void> {
    const { o, progress } = this;
    await this.atStep(4);
    const to = 2 * o.ranges;
    const r = (progress.resize = { from: o.ranges, to, startedAt: Date.now(), pausedMs: null as number | null, doneMs: null as number | null });
    const outcome = await runResize(
      { zk: c.servers.zk, zkRoot: ZK_ROOT, connectTimeout: CONNECT_TIMEOUT_MS, group: this.name, brokers: c.servers.brokers, ranges: to, timeout: o.waitTimeout, kafkaClient: o.kafkaClient },
      this.log,
    );
    r.pausedMs = outcome.pausedMs;
    await this.until(`the new ranges to start (their parents to drain) and the group to converge on ${to} ranges`, (s) => s.ranges === to && settled(2)(s) && (s.split?.parents.every((p) => p.remaining === 0) ?? false));
    r.doneMs = Date.now() - r.startedAt;
    if (!this.live) this.say(`  resized ${o.ranges} -> ${to} ranges: the producer and ${outcome.pollers.length} pollers paused ${outcome.pausedMs} ms for the cut-over; every new range started within ${r.doneMs} ms`);
  }

  /** The producer stops; waits until every message it sent was handled. */
  private async finish(producing: Promise<ProduceResult>): Promise<void> {
    const { progress, tally } = this;
    await this.atStep(5);
    this.produceStop.abort();
    const producedFinal = (progress.producedFinal = (await producing).sent);
    progress.produced = producedFinal;
    const stoppedAt = Date.now();
    progress.waiting = 'every produced message to be handled';
    const deadline = stoppedAt + this.o.waitTimeout;
    for (;;) {
      tally.poll();
      if (tally.handledOf(producedFinal) === producedFinal) {
        progress.catchUpMs = Date.now() - stoppedAt;
        break;
      }
      if (Date.now() > deadline || this.stop.requested) break;
      await this.stop.pause(100);
    }
    progress.waiting = null;
    if (!this.live) this.say(progress.catchUpMs !== null ? `  all ${producedFinal} messages handled ${progress.catchUpMs} ms after the producer stopped` : '  NOT every message was handled in time');
  }

  /** Waits until `check` holds on a snapshot, bounded by waitTimeout; a poller the script did not stop exiting ends the demo. */
  private async until(what: string, check: (s: GroupSnapshot) => boolean): Promise<void> {
    const { progress } = this;
    progress.waiting = what;
    try {
      const deadline = Date.now() + this.o.waitTimeout;
      while (!(progress.latest && check(progress.latest))) {
        this.stop.check();
        if (Date.now() > deadline) throw new Error(`timed out after ${this.o.waitTimeout} ms waiting for ${what}`);
        this.pollers.checkNoneDied();
        await this.stop.pause(50);
      }
    } finally {
      progress.waiting = null;
    }
  }

  private beginStep(i: number): void {
    const { progress } = this;
    progress.current = i;
    const step = this.script[i]!;
    this.log.info({ step: step.name, t: Date.now() - progress.t0 }, step.title);
    if (!this.live) this.say(`[t=${((Date.now() - progress.t0) / 1000).toFixed(1)}s] ${step.title}`);
  }

  private async atStep(i: number): Promise<void> {
    await this.stop.pause(this.progress.t0 + this.script[i]!.at * this.stepMs - Date.now());
    this.stop.check();
    this.beginStep(i);
  }

  failed(err: unknown): void {
    if (err instanceof Interrupted) {
      this.interrupted = true;
    } else {
      this.error = err instanceof Error ? err.message : String(err);
      this.log.error({ err }, 'demo failed');
    }
  }

  /** Stops everything the demo started: the producer, the pollers (gracefully, bounded), the clients, and servers it started. */
  async tearDown(): Promise<void> {
    const { progress, opened } = this;
    this.interrupted ||= this.stop.requested;
    this.produceStop.abort();
    if (this.producing) progress.producedFinal = (await this.producing.catch(() => ({ sent: progress.produced }))).sent;
    await this.pollers.stopRunning(this.o.waitTimeout, (ids) => this.say(`stopping ${ids.join(', ')} (graceful drain)...`));
    clearInterval(this.sampler);
    this.tally.poll();
    this.liveView?.stop();
    opened.watcher?.close();
    await opened.zk?.close().catch(() => undefined);
    await opened.admin?.disconnect().catch(() => undefined);
    if (opened.servers?.source === 'started') this.say('stopping the ZooKeeper and Kafka started for the demo...');
    await opened.servers?.close().catch((err: unknown) => this.log.error({ err }, 'servers did not stop cleanly'));
  }

  summary(): DemoSummary {
    const { progress, tally, o } = this;
    const produced = progress.producedCount;
    const lostIds = tally.lost(produced);
    return {
      produced,
      handled: tally.handledOf(produced),
      lost: lostIds.length,
      duplicates: tally.duplicates,
      recoveryMs: progress.kill?.totalMs ?? null,
      handoffMs: progress.drain?.maxPauseMs ?? null,
      drainMs: progress.drain?.totalMs ?? null,
      rangesRecovered: progress.kill?.ranges.length ?? 0,
      rangesHandedOff: progress.drain?.ranges.length ?? 0,
      resizedTo: progress.resize?.doneMs != null ? progress.resize.to : null,
      resizePauseMs: progress.resize?.pausedMs ?? null,
      resizeMs: progress.resize?.doneMs ?? null,
      orderViolations: tally.orderViolations,
      catchUpMs: progress.catchUpMs,
      sessionTimeoutMs: o.sessionTimeout,
      group: this.name,
      topic: this.name,
      ranges: o.ranges,
      durationMs: Date.now() - this.started,
      lostIds: lostIds.slice(0, 20),
      recordsDir: this.runDir,
      interrupted: this.interrupted,
      pollers: this.pollers.list().map((p) => ({ id: p.id, pid: p.pid, exit: p.exitDescription })),
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

/** Converged, with `members` active pollers and every range held. */
function settled(members: number) {
  return (s: GroupSnapshot) => s.converged && s.pollers.filter((p) => p.state === 'active').length === members && s.assignment.every((r) => r.owner !== null);
}
