/**
 * A worker process of bench/scale.ts: hosts many simulated members
 * (SimMember) and reports what they see to the parent in batches. Started
 * with child_process.fork; exits when the parent goes (the IPC channel closes).
 */
import { pino } from 'pino';
import { SimMember } from './scale-member.js';
import type { FromWorker, OwnershipEvent, ToWorker, WorkerSettings } from './scale-protocol.js';

const FLUSH_EVERY_MS = 20;

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
  await eachLimited(ids, s.startConcurrency, async (id) => {
    const m = new SimMember(id, s, report, log);
    members.set(id, m);
    try {
      await m.start();
    } catch (err) {
      failed.push({ id, error: String(err) });
      members.delete(id);
      await m.stop().catch(() => undefined);
    }
  });
  send({ t: 'started', ids, failed });
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
