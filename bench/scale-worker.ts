/**
 * A worker process of bench/scale.ts: hosts many simulated members
 * (SimMember) and reports what they see to the parent in batches. Started
 * with child_process.fork; exits when the parent goes (the IPC channel closes).
 */
import { pino } from 'pino';
import { sleep } from '../coordinator/index.js';
import { SimMember } from './scale-member.js';
import type { FromWorker, OwnershipEvent, ToWorker, WorkerSettings } from './scale-protocol.js';

const FLUSH_EVERY_MS = 20;
const START_ATTEMPTS = 3;
const RESTART_AFTER_MS = 1_000;

const log = pino({ level: process.env['BENCH_SCALE_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const members = new Map<string, SimMember>();
let settings: WorkerSettings | null = null;
let batch: OwnershipEvent[] = [];
let flushTimer: NodeJS.Timeout | null = null;

function send(m: FromWorker): void {
  process.send?.(m);
}

function flush(): void {
  flushTimer = null;
  if (batch.length === 0) return;
  send({ t: 'events', events: batch });
  batch = [];
}

function report(e: OwnershipEvent): void {
  batch.push(e);
  flushTimer ??= setTimeout(flush, FLUSH_EVERY_MS);
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

async function startMembers(ids: string[]): Promise<void> {
  const s = settings;
  if (!s) throw new Error('start before init');
  const failed: { id: string; error: string }[] = [];
  let retries = 0;
  await eachLimited(ids, s.startConcurrency, async (id) => {
    try {
      retries += await startMember(id, s);
    } catch (err) {
      failed.push({ id, error: String(err) });
    }
  });
  send({ t: 'started', ids, failed, retries });
}

/**
 * Starts one member, again after a failure (what a supervisor does with a
 * poller that could not start: an overloaded ensemble can drop a connection
 * while a thousand sessions connect). Resolves with the number of retries.
 */
async function startMember(id: string, s: WorkerSettings): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const m = new SimMember(id, s, report, log);
    members.set(id, m);
    try {
      await m.start();
      return attempt - 1;
    } catch (err) {
      members.delete(id);
      await m.stop().catch(() => undefined);
      if (attempt >= START_ATTEMPTS) throw err;
      log.warn({ id, err, attempt }, 'member failed to start; starting it again');
      await sleep(RESTART_AFTER_MS);
    }
  }
}

async function stopMember(id: string): Promise<void> {
  const m = members.get(id);
  members.delete(id);
  try {
    await m?.stop();
    flush();
    send({ t: 'stopped', id });
  } catch (err) {
    send({ t: 'stopped', id, error: String(err) });
  }
}

function sample(req: number): void {
  const bytesRead: Record<string, number> = {};
  for (const [id, m] of members) bytesRead[id] = m.bytesRead;
  send({ t: 'sample', req, bytesRead });
}

function onMessage(m: ToWorker): void {
  const fail = (err: unknown) => send({ t: 'fatal', error: String(err) });
  switch (m.t) {
    case 'init':
      settings = m.settings;
      send({ t: 'ready' });
      break;
    case 'start': void startMembers(m.ids).catch(fail); break;
    case 'stop': void stopMember(m.id).catch(fail); break;
    case 'sample': sample(m.req); break;
    case 'exit':
      flush();
      process.exit(0);
  }
}

process.on('message', onMessage);
// The parent is gone (or done with us): so are we, sessions and all.
process.on('disconnect', () => process.exit(0));
