// The chaos run's network partitions (test/chaos/network-partition.ts) on
// real ZooKeeper and Kafka: a `ringleader poller` process in a network
// namespace of its own reaches the servers at their usual addresses through
// the switch; cut off from Kafka it marks itself unhealthy and its ranges
// move to the other poller; cut off from ZooKeeper past its session timeout
// it stops handling before its session can expire (self-fencing), its ranges
// move, and it joins again after. Signals reach the poller itself, and
// nothing of it is left after it exits.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { createGroupConfig, GroupPaths, parseMember, readAssignment, ZkSession } from '../coordinator/index.js';
import { createKafka } from '../poller/kafka-client.js';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createPoller } from '../poller/index.js';
import { readHandledRecords, RECORD_ENV } from '../poller/handlers/handled-record.js';
import { NetworkPartitions } from './chaos/network-partition.js';
import { Cleanups } from './support/cleanups.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { startCli, type NodeProcess } from './support/node-process.js';
import { CLI_JS, RECORDING_HANDLER_JS } from './support/paths.js';
import { sleep, waitFor } from './support/wait-for.js';

const RANGES = 8;
const SESSION_TIMEOUT_MS = 4_000;
const STALL_MS = 3_000;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

function canUnshare(): boolean {
  try {
    execFileSync('unshare', ['--net', '--', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Setup {
  group: string;
  topic: string;
  zk: ZkSession;
  kafka: Kafka;
  net: NetworkPartitions;
  dir: string;
  /** Per range: who handled a message of it last, and when (the in-process poller b only). */
  seenByB: Map<number, number>;
}

async function setUp(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'netpart-'));
  cleanups.add(() => rmSync(dir, { recursive: true, force: true }));
  const kafka = createKafka({ brokers: brokers(), clientId: 'netpart-test' });
  const group = randomName('netpart');
  const topic = randomName('netpart-t');
  await ensureTopics({ kafka, topic, ranges: RANGES });
  const zk = new ZkSession({ connect: zkConnect() });
  await zk.start();
  cleanups.add(() => zk.close());
  await createGroupConfig(zk, new GroupPaths(group), { topic, ranges: RANGES });
  const net = new NetworkPartitions(join(dir, 'net.sock'), zkConnect().split(','), brokers());
  await net.start();
  cleanups.add(() => net.close());
  const producer: Producer = kafka.producer();
  await producer.connect();
  let producing = true;
  const loop = (async () => {
    for (let i = 0; producing; i++) {
      await producer.send({ topic, messages: Array.from({ length: RANGES }, (_, r) => ({ partition: r, key: `k${r}`, value: String(i) })) });
      await sleep(50);
    }
  })();
  cleanups.add(async () => {
    producing = false;
    await loop.catch(() => undefined);
    await producer.disconnect();
  });
  return { group, topic, zk, kafka, net, dir, seenByB: new Map() };
}

/** Poller `a` as a CLI process in its own network namespace behind the switch. */
function startNamespacedPoller(s: Setup): { proc: NodeProcess; records: string; key: string } {
  const key = 'a#0';
  const records = join(s.dir, 'handled-a.ndjson');
  const launch = s.net.launch(key);
  const proc = startCli(
    ['poller', '--zk', zkConnect(), '--brokers', brokers().join(','), '--group', s.group, '--topic', s.topic, '--id', 'a',
      '--handler', RECORDING_HANDLER_JS, '--session-timeout', String(SESSION_TIMEOUT_MS), '--fetch-stall-timeout', String(STALL_MS),
      '--no-coordinator', '--log-level', 'info'],
    { name: 'a', env: { ...launch.env, [RECORD_ENV.file]: records, [RECORD_ENV.poller]: 'a', [RECORD_ENV.incarnation]: '0' }, wrap: launch.wrap, nodeArgs: launch.nodeArgs },
  );
  cleanups.add(() => proc.kill());
  void proc.exited.then(() => s.net.forget(key));
  return { proc, records, key };
}

/** Poller `b` in this process (it runs the coordinator too), recording when it handles each range. */
async function startPollerB(s: Setup): Promise<void> {
  const b = createPoller({
    zk: zkConnect(), group: s.group, topic: s.topic, brokers: brokers(), id: 'b',
    sessionTimeoutMs: SESSION_TIMEOUT_MS, commitIntervalMs: 100, settleMs: 0,
    handler: async (m) => void s.seenByB.set(m.range, Date.now()),
  });
  await b.start();
  cleanups.add(() => b.close());
}

async function owners(s: Setup): Promise<(string | null)[]> {
  return (await readAssignment(s.zk, new GroupPaths(s.group), RANGES)).record?.owners ?? [];
}

async function unhealthy(s: Setup, id: string): Promise<unknown> {
  const node = await s.zk.getDataOrNull(new GroupPaths(s.group).poller(id));
  const parsed = parseMember(node?.data, id);
  return parsed.ok ? parsed.value.unhealthy : undefined;
}

/** b handled every range after `since`. */
function bHandlesAll(s: Setup, since: number): boolean {
  for (let r = 0; r < RANGES; r++) if ((s.seenByB.get(r) ?? 0) <= since) return false;
  return true;
}

async function aOwnsAndHandles(s: Setup, records: string, since = 0): Promise<void> {
  await waitFor('a to own ranges and handle messages', async () => (await owners(s)).includes('a') && existsSync(records) && readHandledRecords(records).some((h) => h.start > since), { timeoutMs: 60_000 });
}

describe.skipIf(!canUnshare())('network partitions of a poller process (real ZooKeeper and Kafka, network namespaces)', () => {
  it('runs the poller in its own namespace as the process we signal; cut off from Kafka its ranges move and come back after', async () => {
    const s = await setUp();
    const a = startNamespacedPoller(s);
    await startPollerB(s);
    await aOwnsAndHandles(s, a.records);
    // The pid we signal is the poller's own node process, in another network namespace than ours.
    expect(readFileSync(`/proc/${a.proc.pid}/cmdline`, 'utf8')).toContain(CLI_JS);
    expect(readlinkSync(`/proc/${a.proc.pid}/ns/net`)).not.toBe(readlinkSync('/proc/self/ns/net'));
    expect(s.net.linkCount(a.key)).toBeGreaterThan(0);

    const cutAt = Date.now();
    s.net.cut(a.key, 'kafka');
    await waitFor('a marked unhealthy', () => unhealthy(s, 'a'), { timeoutMs: STALL_MS + 10_000 });
    await waitFor('b to handle every range', () => bHandlesAll(s, cutAt), { timeoutMs: 20_000 });
    const movedMs = Date.now() - cutAt;
    console.log(`[network-partition] cut off from Kafka: every range handled by b ${movedMs} ms after the cut (fetch stall ${STALL_MS} ms)`);
    expect(movedMs).toBeLessThan(STALL_MS + 5_000);
    // ZooKeeper still reaches a: its session lived, so it committed and released, and was not expired.
    expect(a.proc.running).toBe(true);

    const restoredAt = Date.now();
    s.net.restore(a.key, 'kafka');
    await waitFor('a healthy again', async () => (await unhealthy(s, 'a')) === undefined, { timeoutMs: 20_000 });
    await aOwnsAndHandles(s, a.records, restoredAt);

    // SIGTERM reaches the poller: it stops cleanly, and its links go with it.
    const exit = await a.proc.stop(20_000);
    expect(exit.code).toBe(0);
    await waitFor('a\'s links gone', () => s.net.linkCount(a.key) === 0, { timeoutMs: 5_000 });
  }, 180_000);

  it('cut off from ZooKeeper past its session timeout, the poller stops handling before its session can expire, its ranges move, and it joins again', async () => {
    const s = await setUp();
    const a = startNamespacedPoller(s);
    await startPollerB(s);
    await aOwnsAndHandles(s, a.records);

    const cutAt = Date.now();
    s.net.cut(a.key, 'zk');
    await waitFor('b to handle every range', () => bHandlesAll(s, cutAt), { timeoutMs: SESSION_TIMEOUT_MS + 10_000 });
    const movedMs = Date.now() - cutAt;
    await sleep(SESSION_TIMEOUT_MS + 2_000 - movedMs);
    // Self-fencing: nothing started once the session could have expired (the server may expire it a session timeout after the last ping it heard).
    const lastStart = Math.max(...readHandledRecords(a.records).map((h) => h.start));
    console.log(`[network-partition] cut off from ZooKeeper: a's last start ${lastStart - cutAt} ms after the cut; every range handled by b ${movedMs} ms after it`);
    expect(lastStart).toBeLessThan(cutAt + SESSION_TIMEOUT_MS);
    expect(a.proc.running).toBe(true);

    const restoredAt = Date.now();
    s.net.restore(a.key, 'zk');
    await a.proc.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('ZooKeeper session expired'), 30_000, 'the session expiry');
    await aOwnsAndHandles(s, a.records, restoredAt);

    // SIGKILL reaches the poller itself; nothing of it lingers in the switch.
    await a.proc.kill();
    await waitFor('a\'s links gone', () => s.net.linkCount(a.key) === 0, { timeoutMs: 5_000 });
  }, 180_000);
});
