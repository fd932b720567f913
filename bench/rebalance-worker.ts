/**
 * One consumer process of bench:rebalance (bench/rebalance.ts forks it):
 * joins the system under test (a kafkajs consumer group, or a ringleader
 * poller), handles every message with the same 2 ms handler, and appends one
 * line per handled message to its record file before acknowledging it, so a
 * kill -9 loses no record of what was handled. SIGTERM: a graceful stop, then
 * exit 0. Over IPC it tells the parent `loaded` once its client library is
 * loaded, waits for `join`, then tells it `ready` once consuming: the parent
 * times a join from `join`, so a Node process's start-up (which takes the
 * machine's CPU from every consumer for a while) is not counted as the
 * system's join.
 *
 *   node dist/bench/rebalance-worker.js '<WorkerConfig as JSON>'
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { formatRecord } from './rebalance-measure.js';
import { JOIN, type WorkerMessage } from './rebalance-worker-messages.js';
import { startKafkajsGroupMember } from './rebalance-kafkajs-member.js';
import { loadRingleader, startRingleaderMember } from './rebalance-ringleader-member.js';
import { loadKip848Client, startKip848GroupMember } from './rebalance-kip848-member.js';

export type MemberKind = 'kafkajs' | 'kip848' | 'ringleader';

export interface WorkerConfig {
  kind: MemberKind;
  id: string;
  brokers: string[];
  topic: string;
  recordFile: string;
  handlerMs: number;
  /** kafkajs: the consumer group; ringleader: the ringleader group. */
  group: string;
  /** Session timeout (ms); kafkajs: unset keeps the client's default; kip848: the broker's, not set here. */
  sessionTimeoutMs?: number;
  /** ringleader only. */
  zk?: string;
  /** ringleader only: the library's entry module (another build, to compare versions); default this package's. */
  lib?: string;
}

/** What each kind of member gives the worker: handled messages go through `handle`, `stop` is the graceful stop. */
export interface Member {
  stop(): Promise<void>;
}

/** Called by a member for every message: runs the handler, records it, resolves when it may be acknowledged. */
export type HandleMessage = (partition: number, offset: number, produced: number) => Promise<void>;

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as WorkerConfig;
  const lib = config.lib ? pathToFileURL(config.lib).href : undefined;
  // kafkajs is imported above, with this module.
  if (config.kind === 'ringleader') await loadRingleader(lib);
  if (config.kind === 'kip848') await loadKip848Client();
  const told = new Promise<void>((resolve) => process.on('message', (m) => m === JOIN && resolve()));
  process.send?.('loaded' satisfies WorkerMessage);
  await told;
  const fd = openSync(config.recordFile, 'a');
  const handle: HandleMessage = async (partition, offset, produced) => {
    const start = Date.now();
    await delay(config.handlerMs);
    // Written before the acknowledgement: one write call, whole even under kill -9.
    writeSync(fd, formatRecord({ worker: config.id, partition, offset, produced, start, end: Date.now() }));
  };
  const member: Member =
    config.kind === 'kafkajs'
      ? await startKafkajsGroupMember(config, handle)
      : config.kind === 'kip848'
        ? await startKip848GroupMember(config, handle)
        : await startRingleaderMember(config, handle, lib);
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void member
      .stop()
      .catch((err: unknown) => process.stderr.write(`worker ${config.id}: stop failed: ${String(err)}\n`))
      .finally(() => {
        closeSync(fd);
        process.exit(0);
      });
  });
  process.send?.('ready' satisfies WorkerMessage);
}

main().catch((err: unknown) => {
  process.stderr.write(`worker: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
