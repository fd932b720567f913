// A poller stopped while its ZooKeeper server is silent (a chaos run sent
// SIGTERM during such a hiccup and the process never exited) ends within
// its stop bound: at the drain deadline it starts nothing more, retries its
// final commits until they land (through another server once the connection
// moves) or until their budget is spent, then closes, each step bounded.
// Stalling TCP proxies in front of the real server play ensemble members.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Kafka, Producer } from 'kafkajs';
import { createGroupConfig, GroupPaths, parseOffset, ZkSession } from '../coordinator/index.js';
import { createKafka } from '../poller/kafka-client.js';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createPoller, type Poller } from '../poller/poller.js';
import { Cleanups } from './support/cleanups.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { StallProxy } from './support/stall-proxy.js';
import { sleep, waitFor } from './support/wait-for.js';

const SESSION_TIMEOUT_MS = 6_000;
const DRAIN_TIMEOUT_MS = 1_000;
const RANGES = 4;
/** Timers firing a little late on a busy machine. */
const SLACK_MS = 150;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

interface LogLine {
  msg: string;
  range?: number;
}

interface Started {
  range: number;
  offset: number;
  at: number;
}

/** A topic and a group over it, made directly (not through the proxies). */
async function newGroup(kafka: Kafka): Promise<{ group: string; topic: string; direct: ZkSession }> {
  const group = randomName('stop-bounded');
  const topic = randomName('stop-bounded-t');
  await ensureTopics({ kafka, topic, ranges: RANGES });
  const direct = new ZkSession({ connect: zkConnect() });
  await direct.start();
  cleanups.add(() => direct.close());
  await createGroupConfig(direct, new GroupPaths(group), { topic, ranges: RANGES });
  return { group, topic, direct };
}

/** `count` stalling proxies and a connect string through them (with the real server's chroot). */
async function proxies(count: number): Promise<{ list: StallProxy[]; connect: string }> {
  const chroot = zkConnect().includes('/') ? zkConnect().slice(zkConnect().indexOf('/')) : '';
  const list = Array.from({ length: count }, () => new StallProxy(zkConnect()));
  const addresses = await Promise.all(list.map((p) => p.start()));
  cleanups.add(() => Promise.all(list.map((p) => p.close())));
  return { list, connect: `${addresses.join(',')}${chroot}` };
}

/** Produces to every range, a few messages every 20 ms, until the test ends. */
async function keepProducing(kafka: Kafka, topic: string): Promise<void> {
  const producer: Producer = kafka.producer();
  await producer.connect();
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await producer.send({ topic, messages: Array.from({ length: RANGES }, (_, r) => ({ partition: r, key: `k${r}`, value: String(i) })) });
      await sleep(20);
    }
  })();
  cleanups.add(async () => {
    running = false;
    await loop.catch(() => undefined);
    await producer.disconnect();
  });
}

/** Poller p1 through `connect`, recording when each message began and what it logs. */
async function startPoller(g: { group: string; topic: string }, connect: string) {
  const started: Started[] = [];
  const lines: LogLine[] = [];
  const poller = createPoller({
    zk: connect,
    group: g.group,
    topic: g.topic,
    brokers: brokers(),
    id: 'p1',
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    commitIntervalMs: 200,
    settleMs: 0,
    handler: async (m) => void started.push({ range: m.range, offset: Number(m.offset), at: Date.now() }),
    logger: pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as LogLine) }),
  });
  await poller.start();
  // A stop that hangs (the defect this guards against) must not hang the test's clean-up as well.
  cleanups.add(() => Promise.race([poller.close(), sleep(1_000)]));
  await waitFor('every range handled', () => new Set(started.map((s) => s.range)).size === RANGES, { timeoutMs: 30_000 });
  return { poller, started, lines };
}

/** A group fed by a producer, and poller p1 handling it through `servers` proxies. */
async function runningPoller(servers: number) {
  const kafka = createKafka({ brokers: brokers(), clientId: 'stop-bounded-test' });
  const g = await newGroup(kafka);
  const { list, connect } = await proxies(servers);
  await keepProducing(kafka, g.topic);
  return { g, list, ...(await startPoller(g, connect)) };
}

/** When the stop ended, or null when it did not end within the poller's stop bound. */
async function stopWithinBound(poller: Poller): Promise<number | null> {
  return Promise.race([poller.close().then(() => Date.now()), sleep(poller.stopBoundMs).then(() => null)]);
}

async function committed(direct: ZkSession, group: string, range: number): Promise<number> {
  const node = await direct.getDataOrNull(new GroupPaths(group).offset(range));
  const parsed = parseOffset(node?.data);
  return parsed.ok ? Number(parsed.value.offset) : -1;
}

describe('a poller stopped while its ZooKeeper server is silent (real ZooKeeper and Kafka)', () => {
  it('starts nothing after the drain deadline, lands its final commits once the connection moves, and ends in bound', async () => {
    const { g, list, poller, started, lines } = await runningPoller(2);
    list.find((p) => p.openSockets > 0)!.stall();
    const t0 = Date.now();
    const ended = await stopWithinBound(poller);
    console.log(`[stop-bounded] silent server, then moved: stopped after ${ended === null ? 'never' : ended - t0} ms (bound ${poller.stopBoundMs} ms)`);
    expect(ended).not.toBeNull();

    // At the deadline the pipelines stop starting messages.
    expect(started.filter((s) => s.at > t0 + DRAIN_TIMEOUT_MS + SLACK_MS)).toEqual([]);
    // The final commits landed past everything handled: the next owner handles nothing again.
    for (let r = 0; r < RANGES; r++) {
      const handled = Math.max(...started.filter((s) => s.range === r).map((s) => s.offset));
      expect(await committed(g.direct, g.group, r), `range ${r}`).toBe(handled + 1);
      expect(await g.direct.getDataOrNull(new GroupPaths(g.group).lease(r))).toBeNull();
    }
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['drain deadline reached', 'final commits', 'closing', 'poller stopped']));
    expect(lines.some((l) => l.msg.startsWith('final commit did not land'))).toBe(false);
    expect(lines.some((l) => l.msg.includes('session expired'))).toBe(false);
  }, 90_000);

  it('whose final commits can never land (the only server stays silent) still ends in bound, saying so', async () => {
    const { list, poller, started, lines } = await runningPoller(1);
    list[0]!.stall();
    const t0 = Date.now();
    const ended = await stopWithinBound(poller);
    console.log(`[stop-bounded] silent for good: stopped after ${ended === null ? 'never' : ended - t0} ms (bound ${poller.stopBoundMs} ms)`);
    expect(ended).not.toBeNull();
    expect(started.filter((s) => s.at > t0 + DRAIN_TIMEOUT_MS + SLACK_MS)).toEqual([]);
    // Duplicates may follow for the next owner: the log says so, range by range.
    const gaveUp = new Set(lines.filter((l) => l.msg.startsWith('final commit did not land')).map((l) => l.range));
    expect([...gaveUp].sort()).toEqual([0, 1, 2, 3]);
  }, 90_000);
});
