// A poller that cannot work gives its ranges to pollers that can, and takes
// ranges again once it can (docs/design.md "Unhealthy pollers"). Real
// ZooKeeper and Kafka; one poller's Kafka connections run through stalling
// proxies of the test's own, so only it is cut off from the brokers.
import { afterEach, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import { createGroupConfig, GroupEventDiffer, GroupPaths, parseMember, readAssignment, readGroupSnapshot, ZkSession } from '../coordinator/index.js';
import { statusJson } from '../cli/actions/status.js';
import { formatStatus } from '../cli/views/status-view.js';
import { createKafka } from '../poller/kafka-client.js';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createPoller, HandlerUnavailable, type Handler, type Poller, type PollerOptions } from '../poller/index.js';
import { Cleanups } from './support/cleanups.js';
import { cuttableKafka } from './support/cuttable-kafka.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { sleep, waitFor } from './support/wait-for.js';

const RANGES = 8;
const SESSION_TIMEOUT_MS = 4_000;
const STALL_MS = 3_000;

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

interface Group {
  group: string;
  topic: string;
  zk: ZkSession;
  kafka: Kafka;
}

async function newGroup(): Promise<Group> {
  const kafka = createKafka({ brokers: brokers(), clientId: 'unhealthy-test' });
  const group = randomName('unhealthy');
  const topic = randomName('unhealthy-t');
  await ensureTopics({ kafka, topic, ranges: RANGES });
  const zk = new ZkSession({ connect: zkConnect() });
  await zk.start();
  cleanups.add(() => zk.close());
  await createGroupConfig(zk, new GroupPaths(group), { topic, ranges: RANGES });
  return { group, topic, zk, kafka };
}

/** Produces to every range every 50 ms until the test ends. */
async function keepProducing(g: Group): Promise<void> {
  const producer: Producer = g.kafka.producer();
  await producer.connect();
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      await producer.send({ topic: g.topic, messages: Array.from({ length: RANGES }, (_, r) => ({ partition: r, key: `k${r}`, value: String(i) })) });
      await sleep(50);
    }
  })();
  cleanups.add(async () => {
    running = false;
    await loop.catch(() => undefined);
    await producer.disconnect();
  });
}

/** Who handled a message of each range last, and when. */
type LastHandled = Map<number, { poller: string; at: number }>;

async function startPoller(g: Group, id: string, seen: LastHandled, extra: Partial<PollerOptions> = {}, handle?: Handler): Promise<Poller> {
  const poller = createPoller({
    zk: zkConnect(),
    group: g.group,
    topic: g.topic,
    brokers: brokers(),
    id,
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    commitIntervalMs: 100,
    settleMs: 0,
    handler: async (m) => {
      await handle?.(m);
      seen.set(m.range, { poller: id, at: Date.now() });
    },
    ...extra,
  });
  await poller.start();
  cleanups.add(() => poller.close());
  return poller;
}

async function member(g: Group, id: string) {
  const node = await g.zk.getDataOrNull(new GroupPaths(g.group).poller(id));
  const parsed = parseMember(node?.data, id);
  return parsed.ok ? parsed.value : null;
}

async function owners(g: Group): Promise<(string | null)[]> {
  return (await readAssignment(g.zk, new GroupPaths(g.group), RANGES)).record?.owners ?? [];
}

/** Every range handled by `id` after `since`. */
function allHandledBy(seen: LastHandled, id: string, since: number): boolean {
  for (let r = 0; r < RANGES; r++) {
    const last = seen.get(r);
    if (!last || last.poller !== id || last.at <= since) return false;
  }
  return true;
}

describe('unhealthy pollers give their ranges away (real ZooKeeper and Kafka)', () => {
  it('a poller cut off from Kafka marks itself unhealthy, its ranges move to the healthy poller, and come back after', async () => {
    const g = await newGroup();
    await keepProducing(g);
    const seen: LastHandled = new Map();
    const link = await cuttableKafka(brokers(), 'unhealthy-cut');
    cleanups.add(() => link.close());
    const a = await startPoller(g, 'a', seen, { kafka: link.kafka, fetchStallTimeoutMs: STALL_MS });
    await startPoller(g, 'b', seen);
    await waitFor('both pollers own ranges', async () => {
      const o = await owners(g);
      return o.includes('a') && o.includes('b');
    });
    await waitFor('a handles messages', () => [...seen.values()].some((s) => s.poller === 'a'));

    const events = new GroupEventDiffer();
    events.next(await readGroupSnapshot(g.zk, new GroupPaths(g.group)), Date.now());
    const cutAt = Date.now();
    link.cut();
    const marked = await waitFor('a marked unhealthy', async () => (await member(g, 'a'))?.unhealthy, { timeoutMs: 20_000 });
    const markedMs = Date.now() - cutAt;
    expect(marked.reason).toBe('fetch-stall');
    expect(marked.detail).toMatch(/no Kafka broker answered/);
    // What status and watch show.
    const snapshot = await readGroupSnapshot(g.zk, new GroupPaths(g.group));
    expect((statusJson(snapshot).pollers as { id: string; unhealthy?: unknown }[]).find((p) => p.id === 'a')?.unhealthy).toEqual(marked);
    expect(formatStatus(snapshot, { layout: 'full', top: 5 })).toMatch(/^a unhealthy since \d\d:\d\d:\d\d: fetch-stall \(no Kafka broker answered/m);
    expect(events.next(snapshot, Date.now())).toContainEqual(expect.objectContaining({ type: 'unhealthy', poller: 'a', reason: 'fetch-stall' }));
    await waitFor('every range owned by b', async () => (await owners(g)).every((o) => o === 'b'), { timeoutMs: 20_000 });
    await waitFor('b handles every range', () => allHandledBy(seen, 'b', cutAt), { timeoutMs: 20_000 });
    const movedMs = Date.now() - cutAt;
    console.log(`[unhealthy] fetch stall: marked after ${markedMs} ms, every range handled by b after ${movedMs} ms (stall limit ${STALL_MS} ms)`);
    expect(markedMs).toBeGreaterThanOrEqual(STALL_MS - 200);
    expect(a.status().unhealthy?.reason).toBe('fetch-stall');
    const metrics = await a.metrics.registry.metrics();
    expect(metrics).toMatch(/ringleader_unhealthy_marks_total\{reason="fetch-stall"\} 1/);
    expect(metrics).toMatch(/ringleader_unhealthy\{reason="fetch-stall"\} 1/);

    link.restore();
    await waitFor('a healthy again', async () => (await member(g, 'a'))?.unhealthy === undefined, { timeoutMs: 20_000 });
    await waitFor('a owns ranges again', async () => (await owners(g)).includes('a'), { timeoutMs: 20_000 });
    const back = Date.now();
    await waitFor('a handles again', () => [...seen.values()].some((s) => s.poller === 'a' && s.at > back), { timeoutMs: 20_000 });
    expect(a.status().unhealthy).toBeNull();
  }, 120_000);

  it('a poller whose handler refuses every call gives its ranges away at once (in-flight calls let go), and takes them back when the handler answers', async () => {
    const g = await newGroup();
    await keepProducing(g);
    const seen: LastHandled = new Map();
    let refusing = false;
    const refuse: Handler = async () => {
      if (refusing) throw new HandlerUnavailable('sidecar request failed: ECONNREFUSED');
    };
    const a = await startPoller(g, 'a', seen, { handlerStallTimeoutMs: STALL_MS, handlerProbe: async () => !refusing }, refuse);
    await startPoller(g, 'b', seen);
    await waitFor('both pollers own ranges', async () => {
      const o = await owners(g);
      return o.includes('a') && o.includes('b');
    });

    const downAt = Date.now();
    refusing = true;
    const marked = await waitFor('a marked unhealthy', async () => (await member(g, 'a'))?.unhealthy, { timeoutMs: 20_000 });
    expect(marked.reason).toBe('handler-stall');
    await waitFor('b handles every range', () => allHandledBy(seen, 'b', downAt), { timeoutMs: 20_000 });
    const movedMs = Date.now() - downAt;
    console.log(`[unhealthy] handler stall: every range handled by b after ${movedMs} ms (stall limit ${STALL_MS} ms, drain timeout 30 s)`);
    // The refused calls in flight were let go, not waited on for the drain timeout.
    expect(movedMs).toBeLessThan(STALL_MS + 10_000);

    refusing = false;
    await waitFor('a healthy again', async () => (await member(g, 'a'))?.unhealthy === undefined, { timeoutMs: 20_000 });
    const back = Date.now();
    await waitFor('a handles again', () => [...seen.values()].some((s) => s.poller === 'a' && s.at > back), { timeoutMs: 20_000 });
    expect(a.status().unhealthy).toBeNull();
  }, 120_000);
});
