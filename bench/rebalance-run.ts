/**
 * One system's run of bench:rebalance: a fresh 16-partition topic under a
 * steady keyed load, three consumer processes, then a fourth joins, one is
 * killed with -9, one gets SIGTERM; each event's window lasts until every
 * partition flows again (on a consumer still there), plus a few seconds.
 * A window with no event comes first (`steady`): what the consumers pause
 * anyway, on this machine, under this load.
 * Returns every handled-message record and the events, for rebalance-measure.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { ensureTopics, produceMessages } from '../poller/index.js';
import { createGroup, deleteGroup, deleteTopics, zkSession } from './throughput-env.js';
import { parseRecord, type BenchEvent, type EventKind, type Handled } from './rebalance-measure.js';
import type { System } from './rebalance-systems.js';
import type { WorkerConfig } from './rebalance-worker.js';
import { JOIN, type WorkerMessage } from './rebalance-worker-messages.js';

export interface RunSettings {
  kafka: Kafka;
  zk: string;
  brokers: string[];
  dir: string;
  partitions: number;
  rate: number;
  handlerMs: number;
}

export interface SystemRun {
  records: Handled[];
  events: BenchEvent[];
  produced: number;
}

export function log(line: string): void {
  process.stderr.write(`[rebalance ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

/** Every partition handled within this long counts as flowing. */
const FLOWING_MS = 1_500;
/** The window with no event, before the join. */
const STEADY_MS = 6_000;
/** What a window goes on for once everything flows again (late effects of the event). */
const AFTER_SETTLED_MS = 4_000;
const KEYS = 1_000;
const VALUE_BYTES = 100;

/** Reads new lines from the consumers' record files as they grow. */
class RecordTail {
  private readonly at = new Map<string, { offset: number; rest: string }>();
  readonly records: Handled[] = [];
  /** Per partition: the last handling seen (start time, worker). */
  readonly latest: ({ start: number; worker: string } | undefined)[];

  constructor(partitions: number) {
    this.latest = Array.from({ length: partitions }, () => undefined);
  }

  read(files: string[]): void {
    for (const file of files) {
      if (!existsSync(file)) continue;
      const state = this.at.get(file) ?? { offset: 0, rest: '' };
      const fd = openSync(file, 'r');
      try {
        const size = fstatSync(fd).size;
        if (size <= state.offset) continue;
        const buf = Buffer.alloc(size - state.offset);
        readSync(fd, buf, 0, buf.length, state.offset);
        state.offset = size;
        const lines = (state.rest + buf.toString('utf8')).split('\n');
        state.rest = lines.pop() ?? '';
        for (const line of lines) {
          const r = parseRecord(line);
          if (!r) continue;
          this.records.push(r);
          const l = this.latest[r.partition];
          if (!l || l.start < r.start) this.latest[r.partition] = { start: r.start, worker: r.worker };
        }
      } finally {
        closeSync(fd);
        this.at.set(file, state);
      }
    }
  }
}

/** Every consumer process still running, for a benchmark stopped by a signal. */
const running = new Set<ChildProcess>();

/** SIGKILL to every consumer process still running (the benchmark is being stopped). */
export function killAllWorkers(): void {
  for (const p of running) p.kill('SIGKILL');
}

interface Worker {
  id: string;
  proc: ChildProcess;
  exited: Promise<void>;
  file: string;
}

export async function runSystem(system: System, s: RunSettings): Promise<SystemRun> {
  const tag = `${system.name}-${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9._-]/g, '-');
  const topic = `bench-rebalance-${tag}`;
  const group = `bench-rebalance-${tag}`;
  await ensureTopics({ kafka: s.kafka, topic, ranges: s.partitions });
  const zk = system.kind === 'ringleader' ? await zkSession(s.zk) : null;
  if (zk) await createGroup(zk, group, topic, s.partitions);
  const stopLoad = new AbortController();
  const load = produceMessages({ kafka: s.kafka, topic, count: 1_000_000_000, keys: KEYS, size: VALUE_BYTES, rate: s.rate, signal: stopLoad.signal });
  const tail = new RecordTail(s.partitions);
  const workers: Worker[] = [];
  const files = () => workers.map((w) => w.file);
  /** Forks consumer `n` and waits until it has loaded its client library; `join()` then makes it join and resolves once it consumes. */
  const spawn = async (n: number) => {
    const id = `c${n}`;
    const file = join(s.dir, `${tag}-${id}.records`);
    const config: WorkerConfig = {
      kind: system.kind, id, brokers: s.brokers, topic, recordFile: file, handlerMs: s.handlerMs, group,
      ...(system.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: system.sessionTimeoutMs } : {}),
      ...(system.kind === 'ringleader' ? { zk: s.zk } : {}),
      ...(system.lib ? { lib: system.lib } : {}),
    };
    const stderr = openSync(join(s.dir, `${tag}-${id}.stderr`), 'a');
    const proc = fork(new URL('./rebalance-worker.js', import.meta.url), [JSON.stringify(config)], {
      stdio: ['ignore', 'ignore', stderr, 'ipc'],
      ...(system.node ? { execPath: system.node } : {}),
    });
    closeSync(stderr);
    running.add(proc);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => {
      running.delete(proc);
      resolve();
    }));
    const w: Worker = { id, proc, exited, file };
    workers.push(w);
    const told = (what: WorkerMessage) => new Promise<void>((resolve, reject) => {
      proc.on('message', (m) => m === what && resolve());
      proc.once('exit', (code) => reject(new Error(`consumer ${id} of ${system.name} exited (${code}) before it was ${what}; see ${s.dir}`)));
    });
    await told('loaded');
    const ready = told('ready');
    return {
      join: async () => {
        proc.send(JOIN);
        await ready;
        return w;
      },
    };
  };
  const start = async (n: number) => (await spawn(n)).join();
  const events: BenchEvent[] = [];
  try {
    await Promise.all([1, 2, 3].map(start));
    await waitSettled(tail, files, { since: Date.now(), gone: null, joiner: null, maxMs: 90_000 });
    log(`${system.name}: 3 consumers flowing on every partition`);

    const event = async (kind: Exclude<EventKind, 'steady'>, act: () => Promise<Worker>) => {
      const at = Date.now();
      const w = await act();
      const e: BenchEvent = { kind, at, worker: w.id, until: 0 };
      events.push(e);
      const settledIn = await waitSettled(tail, files, {
        since: at,
        gone: kind === 'join' ? null : w.id,
        joiner: kind === 'join' ? w.id : null,
        maxMs: 2 * system.effectiveSessionTimeoutMs + 30_000,
      });
      await sleep(AFTER_SETTLED_MS);
      log(`${system.name}: ${kind} ${w.id} at ${new Date(at).toISOString().slice(11, 23)}: every partition flows again after ${settledIn === null ? 'TIMEOUT' : `${settledIn} ms`}`);
    };
    // Forked and loaded before the event: the join is timed, not a Node process's start-up.
    const joiner = await spawn(4);
    // What the consumers pause with no event at all: the floor under every event's figures.
    events.push({ kind: 'steady', at: Date.now(), worker: '-', until: 0 });
    await sleep(STEADY_MS);
    await event('join', () => joiner.join());
    await event('kill', async () => {
      const w = workers[0]!;
      w.proc.kill('SIGKILL');
      await w.exited;
      return w;
    });
    await event('term', async () => {
      const w = workers[1]!;
      w.proc.kill('SIGTERM');
      return w;
    });
    stopLoad.abort();
    const { sent } = await load;
    // Whatever was produced is handled before the windows close (a pause still going on counts in full).
    await waitHandled(tail, files, sent, 60_000);
    const end = Date.now();
    events.forEach((e, i) => (e.until = events[i + 1]?.at ?? end));
    return { records: tail.records, events, produced: sent };
  } finally {
    stopLoad.abort();
    await load.catch(() => undefined);
    await stopWorkers(workers);
    tail.read(files());
    await deleteTopics(s.kafka, topic).catch(() => undefined);
    if (zk) {
      await deleteGroup(zk, group).catch(() => undefined);
      await zk.close();
    }
  }
}

/**
 * Resolves (with the ms it took) once every partition was handled in the last
 * FLOWING_MS by a consumer that is not `gone`, after `since`, and (join) the
 * joiner handles some partition; null after `maxMs`.
 */
async function waitSettled(
  tail: RecordTail,
  files: () => string[],
  o: { since: number; gone: string | null; joiner: string | null; maxMs: number },
): Promise<number | null> {
  for (;;) {
    tail.read(files());
    const now = Date.now();
    const flowing = tail.latest.every((l) => l !== undefined && l.start > o.since && l.start > now - FLOWING_MS && l.worker !== o.gone);
    const joined = o.joiner === null || tail.latest.some((l) => l?.worker === o.joiner);
    if (flowing && joined) return now - o.since;
    if (now - o.since > o.maxMs) return null;
    await sleep(200);
  }
}

async function waitHandled(tail: RecordTail, files: () => string[], produced: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  for (;;) {
    tail.read(files());
    const distinct = new Set(tail.records.map((r) => `${r.partition}:${r.offset}`)).size;
    if (distinct >= produced || Date.now() > until) return;
    await sleep(500);
  }
}

/** SIGTERM to every consumer still running; SIGKILL what has not exited 30 s later. */
async function stopWorkers(workers: Worker[]): Promise<void> {
  const running = workers.filter((w) => w.proc.exitCode === null && w.proc.signalCode === null);
  for (const w of running) w.proc.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach((w) => w.proc.kill('SIGKILL')), 30_000);
  await Promise.all(running.map((w) => w.exited));
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
