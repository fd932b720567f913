/**
 * Servers, topic and groups for bench/throughput.ts: finds a running
 * ZooKeeper + Kafka (RINGLEADER_ZK / RINGLEADER_BROKERS, else `.infra/env`),
 * starts its own through infra/ when none answers, and cleans up everything
 * it created (topics, group znodes, servers it started).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { ZkSession, GroupPaths, createGroupConfig, isZkCode, ZK } from '../coordinator/index.js';
import { createKafka, deadLetterTopicOf, ensureTopics, withAdmin, produceMessages } from '../poller/index.js';
import { infraHome, kafkaAnswers, parseEnvFile, startInfra, zooKeeperAnswers, type Infra } from '../infra/index.js';

export function log(line: string): void {
  process.stderr.write(`[throughput ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

export interface Servers {
  zk: string;
  brokers: string[];
  /** Set when this run started the servers; closed by close(). */
  started: Infra | null;
  close(): Promise<void>;
}

function candidates(): { zk: string; brokers: string; from: string }[] {
  const out: { zk: string; brokers: string; from: string }[] = [];
  const zk = process.env['RINGLEADER_ZK'];
  const brokers = process.env['RINGLEADER_BROKERS'];
  if (zk && brokers) out.push({ zk, brokers, from: 'environment' });
  try {
    const file = join(infraHome(), 'env');
    if (existsSync(file)) {
      const parsed = parseEnvFile(readFileSync(file, 'utf8'));
      if (parsed) out.push({ zk: parsed.zkConnect, brokers: parsed.brokers, from: file });
    }
  } catch {
    // no repo root / unreadable: fall through to starting our own
  }
  return out;
}

/** Servers that answer now, or fresh ones started through infra/ (then stopped by close()). */
export async function acquireServers(opts: { own?: boolean } = {}): Promise<Servers> {
  for (const c of opts.own ? [] : candidates()) {
    const brokers = c.brokers.split(',').map((b) => b.trim()).filter(Boolean);
    if ((await zooKeeperAnswers(c.zk)) && (await kafkaAnswers(brokers))) {
      log(`using ZooKeeper ${c.zk} and Kafka ${brokers.join(',')} (from ${c.from})`);
      return { zk: c.zk, brokers, started: null, close: async () => undefined };
    }
    log(`servers named by ${c.from} do not answer`);
  }
  log('starting ZooKeeper and Kafka through infra/ (stopped at the end)');
  const infra = await startInfra({ logger: pino({ level: 'warn' }, pino.destination(2)) });
  return { zk: infra.zkConnectString, brokers: infra.brokers, started: infra, close: () => infra.close() };
}

export function benchKafka(brokers: string[], clientId: string): Kafka {
  return createKafka({ brokers, clientId, logger: pino({ level: 'fatal' }, pino.destination(2)) });
}

export async function zkSession(zk: string): Promise<ZkSession> {
  const s = new ZkSession({ connect: zk, sessionTimeoutMs: 10_000, connectTimeoutMs: 15_000 });
  await s.start();
  return s;
}

/** Creates `<topic>` (+ `.dlq`) with `ranges` partitions and fills it with `count` keyed messages. */
export async function preloadTopic(
  kafka: Kafka,
  topic: string,
  opts: { ranges: number; count: number; keys: number; size: number },
): Promise<number> {
  // Kafka (KRaft) may answer "does not host this topic-partition" while a new
  // topic's leaders are being elected; ensureTopics is safe to repeat.
  for (let attempt = 1; ; attempt++) {
    try {
      await ensureTopics({ kafka, topic, ranges: opts.ranges });
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
      await sleep(250);
    }
  }
  // A few producers in parallel: one sequential producer is the slow part of setup.
  const parts = 4;
  const per = Math.ceil(opts.count / parts);
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: parts }, async (_, i) => {
      const n = Math.max(0, Math.min(per, opts.count - i * per));
      if (n === 0) return;
      const r = await produceMessages({ kafka, topic, count: n, keys: opts.keys, size: opts.size, batchSize: 1000 });
      done += r.sent;
    }),
  );
  const ms = performance.now() - started;
  log(`preloaded ${done} messages of ${opts.size} B (${opts.keys} keys) into ${topic} in ${(ms / 1000).toFixed(1)} s`);
  return done;
}

export async function deleteTopics(kafka: Kafka, topic: string): Promise<void> {
  await withAdmin(kafka, async (admin) => {
    const names = await admin.listTopics();
    const mine = [topic, deadLetterTopicOf(topic)].filter((t) => names.includes(t));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
  });
}

export async function createGroup(zk: ZkSession, group: string, topic: string, ranges: number): Promise<GroupPaths> {
  const paths = new GroupPaths(group);
  await createGroupConfig(zk, paths, { topic, ranges });
  return paths;
}

/** Removes `/ringleader/<group>` and everything below it. */
export async function deleteGroup(zk: ZkSession, group: string): Promise<void> {
  await removeTree(zk, new GroupPaths(group).base);
}

async function removeTree(zk: ZkSession, path: string): Promise<void> {
  let children: string[];
  try {
    children = await zk.getChildren(path);
  } catch (err) {
    if (isZkCode(err, ZK.NO_NODE)) return;
    throw err;
  }
  for (const c of children) await removeTree(zk, `${path}/${c}`);
  try {
    await zk.remove(path);
  } catch (err) {
    if (!isZkCode(err, ZK.NO_NODE)) throw err;
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
