/**
 * A ringleader poller for bench:rebalance, built from this package or, to
 * compare two versions in one run, from another build's entry module.
 */
import { pino } from 'pino';
import type { HandleMessage, Member, WorkerConfig } from './rebalance-worker.js';
import type * as Ringleader from '../index.js';

/** Loads the library (the worker does so before it is told to join, so the join is not timed with it). */
export function loadRingleader(lib?: string): Promise<typeof Ringleader> {
  return import(lib ?? new URL('../index.js', import.meta.url).href) as Promise<typeof Ringleader>;
}

export async function startRingleaderMember(config: WorkerConfig, handle: HandleMessage, lib?: string): Promise<Member> {
  const { createPoller } = await loadRingleader(lib);
  if (!config.zk) throw new Error('a ringleader member needs zk');
  const poller = createPoller({
    id: config.id,
    zk: config.zk,
    group: config.group,
    brokers: config.brokers,
    topic: config.topic,
    ...(config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: config.sessionTimeoutMs } : {}),
    handler: (msg) => handle(msg.partition, Number(msg.offset), Number(msg.timestamp)),
    // Its stderr goes to a file beside the records (bench:rebalance --keep keeps it).
    logger: pino({ level: process.env['BENCH_REBALANCE_LOG_LEVEL'] ?? 'warn' }, pino.destination(2)),
  });
  await poller.start();
  return { stop: () => poller.close() };
}
