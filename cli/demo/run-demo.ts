import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { Admin } from 'kafkajs';
import { ZkSession, GroupPaths, GroupWatcher, type GroupSnapshot, type GroupEvent } from '../../coordinator/index.js';
import { infraHome } from '../../infra/index.js';
import { produceMessages, type ProduceResult } from '../../poller/load-producer.js';
import { endOffsetsWith } from '../../poller/kafka-admin.js';
import { runCreate } from '../actions/create.js';
import { runDrain } from '../actions/drain.js';
import { cliKafka } from '../actions/kafka.js';
import { onStopSignals } from '../signals.js';
import type { ViewState } from '../watch-view.js';
import { demoServers, type DemoServers } from './servers.js';
import { PollerProcess } from './poller-process.js';
import { RecordTally } from './records.js';
import { MoveTimer } from './measure.js';
import { watchLeases } from './lease-watch.js';
import { RateMeter } from './rates.js';
import { demoScript, type Step } from './script.js';
import { renderDemo, Screen } from './screen.js';
import type { DemoSummary } from './summary.js';

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
}

class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * `ringleader demo`: servers, a fresh topic and group, 3 poller processes and
 * a steady producer, then the script of demoScript() (join, kill -9, drain,
 * finish), the live view, and a summary checked against the records each
 * poller wrote. Everything it started is stopped on the way out, signals
 * included.
 */
export async function runDemo(o: DemoOptions, say: (line: string) => void): Promise<DemoSummary> {
  const name = `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
  const group = name;
  const topic = name;
  const runDir = join(infraHome(), 'demo', name);
  mkdirSync(runDir, { recursive: true });
  const live = !o.ci && process.stdout.isTTY === true;
  // On a live screen, logs would scribble over it: they go to a file instead.
  // Components make their own child loggers from `root`; the demo's own lines carry component=demo.
  const root: Logger = live
    ? pino({ level: o.logLevel, base: {} }, createWriteStream(join(runDir, 'demo.log')))
    : pino({ level: o.logLevel, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
  const log = root.child({ component: 'demo' });

  const started = Date.now();
  const stop = new AbortController();
  const removeSignals = onStopSignals((signal) => {
    log.warn({ signal }, 'stop requested: stopping everything the demo started');
    stop.abort();
  }, log);
  const interrupted = () => {
    if (stop.signal.aborted) throw new Interrupted();
  };
  /** Sleeps until `ms` passed or the demo is stopped. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.max(0, ms));
      stop.signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(t);
        stop.signal.removeEventListener('abort', done);
        resolve();
      }
    });

  const pollers = new Map<string, PollerProcess>();
  /** Pollers the script stops on purpose: their exit is no error. */
  const leaving = new Set<string>();
  const tally = new RecordTally();
  const produceStop = new AbortController();
  stop.signal.addEventListener('abort', () => produceStop.abort(), { once: true });
  let servers: DemoServers | undefined;
  let zk: ZkSession | undefined;
  let watcher: GroupWatcher | undefined;
  let admin: Admin | undefined;
  let screen: Screen | undefined;
  let producing: Promise<ProduceResult> | undefined;
  let produced = 0;
  let producedFinal: number | null = null;
  let latest: GroupSnapshot | null = null;
  const snapshotListeners = new Set<(s: GroupSnapshot) => void>();
  const events: GroupEvent[] = [];
  let kill: MoveTimer | null = null;
  let drain: MoveTimer | null = null;
  let catchUpMs: number | null = null;
  let error: string | undefined;
  let wasInterrupted = false;
  let t0 = Date.now();
  let current = -1;
  let waiting: string | null = null;
  const stepMs = o.stepSeconds * 1000;
  const script: Step[] = demoScript({ victim: 'poller-2', drained: 'poller-3', joiner: 'poller-4', sessionTimeoutMs: o.sessionTimeout });

  const producedMeter = new RateMeter();
  const handledMeter = new RateMeter();
  const committedMeter = new RateMeter();
  const pollerMeters = new Map<string, RateMeter>();
  const lag = new Map<number, string>();
  const paths = new GroupPaths(group);
  const view: ViewState = { snapshot: null, events, rate: null, connection: 'connected', width: process.stdout.columns ?? 120 };

  const startPoller = (id: string) => {
    const p = new PollerProcess({
      id,
      zk: servers!.zk,
      brokers: servers!.brokers,
      group,
      topic,
      sessionTimeoutMs: o.sessionTimeout,
      drainTimeoutMs: 10_000,
      recordsFile: join(runDir, `${id}.records`),
      logFile: join(runDir, `${id}.log`),
    });
    pollers.set(id, p);
    tally.follow(id, join(runDir, `${id}.records`));
    pollerMeters.set(id, new RateMeter());
    log.info({ poller: id, pid: p.pid }, 'poller started');
    void p.exited.then((exit) => log.info({ poller: id, ...exit }, 'poller exited'));
    return p;
  };

  /** Waits until `check` holds on a snapshot, bounded by waitTimeout. */
  const until = async (what: string, check: (s: GroupSnapshot) => boolean) => {
    waiting = what;
    try {
      const deadline = Date.now() + o.waitTimeout;
      while (!(latest && check(latest))) {
        interrupted();
        if (Date.now() > deadline) throw new Error(`timed out after ${o.waitTimeout} ms waiting for ${what}`);
        for (const p of pollers.values()) {
          if (!p.running && !leaving.has(p.id)) {
            throw new Error(`${p.id} exited unexpectedly; see ${p.options.logFile}`);
          }
        }
        await pause(50);
      }
    } finally {
      waiting = null;
    }
  };
  const settled = (members: number) => (s: GroupSnapshot) =>
    s.converged && s.pollers.filter((p) => p.state === 'active').length === members && s.assignment.every((r) => r.owner !== null);

  const beginStep = (i: number) => {
    current = i;
    const step = script[i]!;
    log.info({ step: step.name, t: Date.now() - t0 }, step.title);
    if (!live) say(`[t=${((Date.now() - t0) / 1000).toFixed(1)}s] ${step.title}`);
  };
  const atStep = async (i: number) => {
    await pause(t0 + script[i]!.at * stepMs - Date.now());
    interrupted();
    beginStep(i);
  };

  const sampler = setInterval(() => {
    tally.poll();
    const now = Date.now();
    producedMeter.sample(produced, now);
    handledMeter.sample(tally.deliveries, now);
    for (const p of tally.perPoller()) pollerMeters.get(p.poller)?.sample(p.handled, now);
    if (latest) committedMeter.sample(latest.assignment.reduce((a, r) => a + (r.committed ? Number(r.committed) : 0), 0), now);
  }, 250);

  const measureSnapshot = (s: GroupSnapshot) => {
    const now = Date.now();
    kill?.observe(s, now);
    drain?.observe(s, now);
    latest = s;
    for (const l of snapshotListeners) l(s);
  };

  try {
    say(`ringleader demo: group and topic ${name}; logs and records under ${runDir}`);
    servers = await demoServers({ ...(o.zk ? { zk: o.zk } : {}), ...(o.brokers ? { brokers: o.brokers } : {}), freshServers: o.freshServers }, log);
    interrupted();
    say(`servers: ZooKeeper ${servers.zk}, Kafka ${servers.brokers.join(',')} (${servers.source === 'started' ? 'started for this demo' : `from ${servers.source}`})`);
    await runCreate({ zk: servers.zk, zkRoot: '/ringleader', connectTimeout: CONNECT_TIMEOUT_MS, group, topic, ranges: o.ranges, brokers: servers.brokers }, root);
    say(`created topic ${topic} with ${o.ranges} partitions = ranges, and group ${group}`);
    interrupted();

    const kafka = cliKafka(servers.brokers, root, 'ringleader-demo');
    admin = kafka.admin();
    await admin.connect();
    zk = new ZkSession({ connect: servers.zk, connectTimeoutMs: CONNECT_TIMEOUT_MS, logger: root });
    await zk.start();
    watcher = new GroupWatcher({ zk, paths, refreshMs: 500, logger: root });
    watcher.on('snapshot', measureSnapshot);
    watcher.on('event', (e: GroupEvent) => {
      events.push(e);
      if (events.length > 200) events.splice(0, events.length - 200);
    });
    await watcher.start();

    for (const id of ['poller-1', 'poller-2', 'poller-3']) startPoller(id);
    say('started poller-1, poller-2, poller-3; waiting until they share the ranges...');
    await until('3 pollers to share the ranges', settled(3));

    if (live) {
      screen = new Screen(
        () => {
          view.snapshot = latest ? withLag(latest, lag) : null;
          view.width = process.stdout.columns ?? 120;
          view.rate = committedMeter.perSecond;
          return renderDemo({
            group,
            topic,
            servers: `${servers!.zk} ${servers!.brokers.join(',')}${servers!.source === 'started' ? ' (own)' : ''}`,
            elapsedMs: Math.max(0, Date.now() - t0),
            stepMs,
            steps: script,
            current,
            waiting,
            // Every handled message was produced: a fresher lower bound than the producer's report.
            produced: Math.max(produced, tally.distinct),
            producedRate: producedMeter.perSecond,
            handled: tally.distinct,
            handledRate: handledMeter.perSecond,
            duplicates: tally.duplicates,
            perPoller: [...pollers.values()].map((p) => ({ poller: p.id, rate: pollerMeters.get(p.id)?.perSecond ?? null, running: p.running })),
            recovery: kill ? (kill.done ? `${((kill.totalMs ?? 0) / 1000).toFixed(2)} s for ${kill.ranges.length} ranges` : 'waiting for the session to expire...') : '-',
            handoff: drain ? (drain.done ? `longest pause ${drain.maxPauseMs} ms over ${drain.ranges.length} ranges` : 'moving...') : '-',
            view,
          });
        },
        () => {
          log.warn('stop requested from the keyboard');
          stop.abort();
        },
      );
      screen.start();
    }
    const lagTimer = live
      ? setInterval(() => {
          void endOffsetsWith(admin!, topic).then(
            (ends) => {
              for (const [p, end] of ends) lag.set(p, end);
              // The producer reports once a second; the end offsets are fresher.
              if (producedFinal === null) produced = Math.max(produced, [...ends.values()].reduce((a, e) => a + Number(e), 0));
            },
            (err: unknown) => log.debug({ err }, 'end offsets not read'),
          );
        }, 1_000)
      : null;

    try {
      // Step 0: the producer starts and the clock with it.
      t0 = Date.now();
      beginStep(0);
      const total = Math.ceil(o.rate * o.stepSeconds * 4 * 2) + 1_000;
      producing = produceMessages({
        kafka,
        topic,
        count: total,
        keys: o.keys,
        size: 200,
        rate: o.rate,
        signal: produceStop.signal,
        logger: root,
        onProgress: (p) => (produced = p.sent),
      });
      producing.then(
        (r) => (produced = r.sent),
        () => undefined,
      );

      await atStep(1);
      startPoller('poller-4');
      await until('poller-4 to get its ranges', settled(4));

      await atStep(2);
      const victim = pollers.get('poller-2')!;
      leaving.add(victim.id);
      kill = new MoveTimer(victim.id, MoveTimer.heldBy(latest, victim.id), Date.now());
      watchLeases(zk, paths, kill, log);
      await victim.kill();
      log.info({ poller: victim.id, ranges: kill.ranges }, 'killed with SIGKILL');
      await until(`${victim.id}'s session to expire and its ranges to move`, () => kill!.done);
      if (!live) say(`  recovered ${kill.ranges.length} ranges of ${victim.id} in ${kill.totalMs} ms: ${kill.moves().join(' ')}`);
      await until('the group to converge', settled(3));

      await atStep(3);
      const drained = pollers.get('poller-3')!;
      leaving.add(drained.id);
      drain = new MoveTimer(drained.id, MoveTimer.heldBy(latest, drained.id), Date.now());
      watchLeases(zk, paths, drain, log);
      // `ringleader drain` marks it draining; the poller process exiting is
      // the proof that it is done (so no --wait here).
      await runDrain(
        { zk: servers.zk, zkRoot: '/ringleader', connectTimeout: CONNECT_TIMEOUT_MS, group, pollerId: drained.id, wait: false, timeout: o.waitTimeout },
        log,
      );
      await until(`${drained.id} to hand off its ranges`, () => drain!.done);
      await Promise.race([drained.exited, pause(o.waitTimeout)]);
      if (drained.running) throw new Error(`${drained.id} did not exit within ${o.waitTimeout} ms of being drained; see ${drained.options.logFile}`);
      if (!live) say(`  ${drained.id} handed off ${drain.ranges.length} ranges in ${drain.totalMs} ms, longest pause ${drain.maxPauseMs} ms: ${drain.moves().join(' ')}`);
      await until('the group to converge', settled(2));

      await atStep(4);
      produceStop.abort();
      producedFinal = (await producing).sent;
      produced = producedFinal;
      const stoppedAt = Date.now();
      waiting = 'every produced message to be handled';
      const deadline = stoppedAt + o.waitTimeout;
      for (;;) {
        tally.poll();
        if (tally.handledOf(producedFinal) === producedFinal) {
          catchUpMs = Date.now() - stoppedAt;
          break;
        }
        if (Date.now() > deadline || stop.signal.aborted) break;
        await pause(100);
      }
      waiting = null;
      if (!live) say(catchUpMs !== null ? `  all ${producedFinal} messages handled ${catchUpMs} ms after the producer stopped` : '  NOT every message was handled in time');
    } finally {
      if (lagTimer) clearInterval(lagTimer);
    }
  } catch (err) {
    if (err instanceof Interrupted) wasInterrupted = true;
    else {
      error = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'demo failed');
    }
  } finally {
    wasInterrupted ||= stop.signal.aborted;
    produceStop.abort();
    if (producing) producedFinal = (await producing.catch(() => ({ sent: produced }))).sent;
    // Graceful stop of the pollers still running, bounded; then the rest.
    const running = [...pollers.values()].filter((p) => p.running);
    if (running.length) say(`stopping ${running.map((p) => p.id).join(', ')} (graceful drain)...`);
    for (const p of running) leaving.add(p.id);
    await Promise.all(running.map((p) => p.stop(o.waitTimeout)));
    clearInterval(sampler);
    tally.poll();
    screen?.stop();
    watcher?.close();
    await zk?.close().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    if (servers?.source === 'started') say('stopping the ZooKeeper and Kafka started for the demo...');
    await servers?.close().catch((err: unknown) => log.error({ err }, 'servers did not stop cleanly'));
    removeSignals();
  }

  const producedCount = producedFinal ?? produced;
  const lostIds = tally.lost(producedCount);
  return {
    produced: producedCount,
    handled: tally.handledOf(producedCount),
    lost: lostIds.length,
    duplicates: tally.duplicates,
    recoveryMs: kill?.totalMs ?? null,
    handoffMs: drain?.maxPauseMs ?? null,
    drainMs: drain?.totalMs ?? null,
    rangesRecovered: kill?.ranges.length ?? 0,
    rangesHandedOff: drain?.ranges.length ?? 0,
    orderViolations: tally.orderViolations,
    catchUpMs,
    sessionTimeoutMs: o.sessionTimeout,
    group,
    topic,
    ranges: o.ranges,
    durationMs: Date.now() - started,
    lostIds: lostIds.slice(0, 20),
    recordsDir: runDir,
    interrupted: wasInterrupted,
    pollers: [...pollers.values()].map((p) => ({ id: p.id, pid: p.pid, exit: p.exitDescription })),
    ...(error ? { error } : {}),
  };
}

/** The snapshot with `end` and `lag` per range from the sampled end offsets. */
function withLag(s: GroupSnapshot, ends: Map<number, string>): GroupSnapshot {
  if (!ends.size) return s;
  return {
    ...s,
    assignment: s.assignment.map((r) => {
      const end = ends.get(r.range);
      if (end === undefined) return r;
      const lagOf = Math.max(0, Number(end) - Number(r.committed ?? 0));
      return { ...r, end, lag: lagOf };
    }),
  };
}
