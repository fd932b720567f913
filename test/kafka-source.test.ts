// The RangeSource of each Kafka client (kafkajs, @platformatic/kafka) against
// a real broker: exact start offsets, no stale batches after a re-seek,
// revoke, backpressure pause, a second source under the same group id.
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createKafka } from '../poller/kafka-client.js';
import { createKafkajsSource, type KafkajsFetchOptions } from '../poller/kafka-source.js';
import { KAFKA_CLIENT_NAMES, type KafkaClientName } from '../poller/kafka-clients.js';
import { createPlatformaticSource } from '../poller/platformatic/source.js';
import type { RangeSource, SourceMessage } from '../poller/range-source.js';
import { brokers } from './support/env.js';
import { sleep, waitFor } from './support/wait-for.js';

const RANGES = 2;

let kafka: Kafka;
let producer: Producer;
const open: RangeSource[] = [];

beforeAll(async () => {
  kafka = createKafka({ brokers: brokers(), clientId: 'kafka-source-test' });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function newTopic(): Promise<string> {
  const topic = `source-${randomUUID()}`;
  await ensureTopics({ kafka, topic, ranges: RANGES, replicationFactor: 1 });
  return topic;
}

/** Appends `count` messages to `partition`; values say where they were meant to land. */
async function append(topic: string, partition: number, count: number): Promise<void> {
  const messages = Array.from({ length: count }, (_, i) => ({
    partition,
    key: `k${i % 3}`,
    value: `p${partition}-${i}`,
    headers: { origin: 'test' },
  }));
  await producer.send({ topic, acks: -1, messages });
}

interface Received {
  /** Offsets per range in delivery order. */
  offsets: Map<number, number[]>;
  messages: Map<number, SourceMessage[]>;
}

function sourceOf(client: KafkaClientName, o: { topic: string; groupId: string; partitions: number; fetch?: KafkajsFetchOptions }): RangeSource {
  return client === 'kafkajs' ? createKafkajsSource({ kafka, ...o }) : createPlatformaticSource({ connection: { brokers: brokers(), clientId: 'kafka-source-test' }, ...o });
}

async function startSource(
  client: KafkaClientName,
  topic: string,
  groupId = `g-${randomUUID()}`,
  fetch: KafkajsFetchOptions = {},
): Promise<{ source: RangeSource; got: Received }> {
  const source = sourceOf(client, { topic, groupId, partitions: RANGES, fetch });
  open.push(source);
  const got: Received = { offsets: new Map(), messages: new Map() };
  source.onMessages((range, messages) => {
    const offsets = got.offsets.get(range) ?? [];
    const all = got.messages.get(range) ?? [];
    for (const m of messages) {
      expect(m.partition).toBe(range);
      offsets.push(Number(m.offset));
      all.push(m);
    }
    got.offsets.set(range, offsets);
    got.messages.set(range, all);
  });
  await source.start();
  return { source, got };
}

function offsetsOf(got: Received, range: number): number[] {
  return got.offsets.get(range) ?? [];
}

function seq(from: number, toExclusive: number): number[] {
  return Array.from({ length: toExclusive - from }, (_, i) => from + i);
}


describe.each(KAFKA_CLIENT_NAMES)('%s', (client) => {
  describe('range source: assign and revoke', () => {
    it('delivers exactly from the assigned offset, in order, and nothing of unassigned ranges', async () => {
      const topic = await newTopic();
      await append(topic, 0, 50);
      await append(topic, 1, 50);
      const { source, got } = await startSource(client, topic);
      expect(source.health().connected).toBe(true);

      expect(await source.assign(0, 10)).toBe(10);
      await waitFor('offsets 10..49 of range 0', () => offsetsOf(got, 0).length >= 40);
      await sleep(500);
      expect(offsetsOf(got, 0)).toEqual(seq(10, 50));
      expect(offsetsOf(got, 1)).toEqual([]);

      const first = got.messages.get(0)![0]!;
      expect(first.value?.toString()).toBe('p0-10');
      expect(first.key).toBe('k1');
      expect(first.headers).toEqual({ origin: 'test' });
      expect(Number(first.timestamp)).toBeGreaterThan(0);
    });

    it('stops delivering a range at once when it is revoked', async () => {
      const topic = await newTopic();
      await append(topic, 0, 20);
      const { source, got } = await startSource(client, topic);
      await source.assign(0, 0);
      await waitFor('the first 20', () => offsetsOf(got, 0).length >= 20);

      source.revoke(0);
      await append(topic, 0, 20);
      await sleep(1500);
      expect(offsetsOf(got, 0)).toEqual(seq(0, 20));
    });

    it('re-assigned at an earlier offset, delivers from there again without a gap', async () => {
      const topic = await newTopic();
      await append(topic, 0, 60);
      const { source, got } = await startSource(client, topic);
      await source.assign(0, 0);
      await waitFor('all 60', () => offsetsOf(got, 0).length >= 60);

      source.revoke(0);
      got.offsets.set(0, []);
      await source.assign(0, 7);
      await waitFor('offsets 7..59 again', () => offsetsOf(got, 0).length >= 53);
      await sleep(300);
      expect(offsetsOf(got, 0)).toEqual(seq(7, 60));
    });
  });

  describe('range source: no stale batches', () => {
    it('never delivers a stale batch across fast revoke/assign cycles while messages keep arriving', async () => {
      const topic = await newTopic();
      await append(topic, 0, 200);
      const { source, got } = await startSource(client, topic);
      let stop = false;
      const writer = (async () => {
        while (!stop) {
          await append(topic, 0, 25);
          await sleep(5);
        }
      })();

      try {
        // Each cycle moves the position backwards or forwards while fetches
        // of the old position may be in flight or queued.
        let seen = 0;
        let from = 0;
        for (let cycle = 0; cycle < 25; cycle++) {
          source.revoke(0);
          from = Math.floor(Math.random() * (seen + 50));
          got.offsets.set(0, []);
          expect(await source.assign(0, from)).toBe(from);
          await sleep(Math.floor(Math.random() * 60));
          const offsets = offsetsOf(got, 0).slice();
          // Exactly from the assigned offset, contiguous (no compaction or
          // transactions on this topic, so offsets have no gaps).
          expect(offsets).toEqual(seq(from, from + offsets.length));
          seen = Math.max(seen, from + offsets.length);
        }
        // The last cycle keeps going and catches up.
        await waitFor('more messages after the last assign', () => offsetsOf(got, 0).length > 50);
        const offsets = offsetsOf(got, 0);
        expect(offsets).toEqual(seq(from, from + offsets.length));
      } finally {
        stop = true;
        await writer;
      }
    });

    it('drops a batch fetched before a re-seek to an earlier offset that is still queued', async () => {
      // One worker: the batch of range 1 waits while the batch of range 0 of
      // the same fetch is handled, and that handler moves range 1 back.
      const topic = await newTopic();
      await append(topic, 0, 50);
      await append(topic, 1, 50);
      const { source, got } = await startSource(client, topic, undefined, { partitionsConsumedConcurrently: 1 });
      await source.assign(0, 0);
      await source.assign(1, 0);
      await waitFor('50 on each range', () => offsetsOf(got, 0).length >= 50 && offsetsOf(got, 1).length >= 50);

      let moved: Promise<number> | null = null;
      const deliver = (range: number, messages: SourceMessage[]) => {
        const list = got.offsets.get(range) ?? [];
        list.push(...messages.map((m) => Number(m.offset)));
        got.offsets.set(range, list);
        if (range === 0 && moved === null) {
          source.revoke(1);
          got.offsets.set(1, []);
          moved = source.assign(1, 10);
        }
      };
      source.onMessages(deliver);
      // One request, so one fetch most likely returns both partitions.
      await producer.send({
        topic,
        acks: -1,
        messages: [0, 1].flatMap((partition) => Array.from({ length: 20 }, (_, i) => ({ partition, value: `n${i}` }))),
      });
      await waitFor('range 0 to move range 1', () => moved !== null);
      expect(await moved).toBe(10);
      await waitFor('range 1 from offset 10 on', () => offsetsOf(got, 1).length >= 60);
      await sleep(300);
      expect(offsetsOf(got, 1)).toEqual(seq(10, 70));
      expect(offsetsOf(got, 0)).toEqual(seq(0, 70));
    });
  });

  describe('range source: pause, start offsets, end offsets, rejoin', () => {
    it('keeps a paused range paused while another flows, then resumes it where it stopped', async () => {
      const topic = await newTopic();
      await append(topic, 0, 30);
      await append(topic, 1, 30);
      const { source, got } = await startSource(client, topic);
      await source.assign(0, 0);
      await source.assign(1, 0);
      await waitFor('30 on each range', () => offsetsOf(got, 0).length >= 30 && offsetsOf(got, 1).length >= 30);

      source.pause(1);
      await append(topic, 0, 40);
      await append(topic, 1, 40);
      await waitFor('range 0 flowing while range 1 is paused', () => offsetsOf(got, 0).length >= 70);
      await sleep(800);
      expect(offsetsOf(got, 0)).toEqual(seq(0, 70));
      expect(offsetsOf(got, 1)).toEqual(seq(0, 30));

      source.resume(1);
      await waitFor('range 1 resumed', () => offsetsOf(got, 1).length >= 70);
      await sleep(300);
      expect(offsetsOf(got, 1)).toEqual(seq(0, 70));
    });

    it('resolves earliest and latest to offsets and starts there', async () => {
      const topic = await newTopic();
      await append(topic, 0, 12);
      await append(topic, 1, 12);
      const { source, got } = await startSource(client, topic);

      expect(await source.assign(0, 'earliest')).toBe(0);
      expect(await source.assign(1, 'latest')).toBe(12);
      await waitFor('range 0 from the start', () => offsetsOf(got, 0).length >= 12);
      await append(topic, 1, 5);
      await waitFor('new messages of range 1', () => offsetsOf(got, 1).length >= 5);
      await sleep(300);
      expect(offsetsOf(got, 0)).toEqual(seq(0, 12));
      expect(offsetsOf(got, 1)).toEqual(seq(12, 17));
    });

    it('reports a broker reply at least every few seconds while no range is assigned (the fetch-stall check reads lastReplyAt)', async () => {
      const topic = await newTopic();
      const { source } = await startSource(client, topic);
      const first = source.health();
      expect(first.connected).toBe(true);
      expect(first.lastReplyAt).toBeGreaterThan(0);
      await waitFor('a later broker reply', () => (source.health().lastReplyAt ?? 0) > first.lastReplyAt!, { timeoutMs: 6_000 });
      expect(source.health().connected).toBe(true);
    });

    it('reports end offsets per range', async () => {
      const topic = await newTopic();
      await append(topic, 0, 9);
      await append(topic, 1, 4);
      const { source } = await startSource(client, topic);
      expect(await source.endOffsets()).toEqual(
        new Map([
          [0, 9],
          [1, 4],
        ]),
      );
    });

    it('keeps positions when a second source of the same group id starts (kafkajs: its group rebalances and forgets positions)', async () => {
      const topic = await newTopic();
      await append(topic, 0, 25);
      const groupId = `g-${randomUUID()}`;
      const { source, got } = await startSource(client, topic, groupId);
      await source.assign(0, 5);
      await waitFor('offsets 5..24', () => offsetsOf(got, 0).length >= 20);

      // A second member of the same group forces the first one to rejoin.
      const other = await startSource(client, topic, groupId);
      await waitFor('the first source to rejoin', () => other.source.health().connected, { timeoutMs: 30_000 });
      await append(topic, 0, 10);
      await waitFor('offsets 25..34', () => offsetsOf(got, 0).length >= 30, { timeoutMs: 30_000 });
      await sleep(500);
      expect(offsetsOf(got, 0)).toEqual(seq(5, 35));
      expect(offsetsOf(other.got, 0)).toEqual([]);
    });
  });

  describe('range source: growing with the topic (a resize)', () => {
    it('learns partitions added while it runs without delivering them; grown, assigns them; the assigned range flows throughout', async () => {
      const topic = await newTopic();
      await append(topic, 0, 10);
      const { source, got } = await startSource(client, topic);
      await source.assign(0, 0);
      await waitFor('offsets 0..9 of range 0', () => offsetsOf(got, 0).length >= 10);

      const admin = kafka.admin();
      await admin.connect();
      await admin.createPartitions({ topicPartitions: [{ topic, count: 2 * RANGES }] });
      await admin.disconnect();
      const late = kafka.producer({ allowAutoTopicCreation: false }); // metadata with the new partitions
      await late.connect();
      await late.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 2, value: `p2-${i}` })) });
      await source.learnPartitions();
      await late.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `p0-${10 + i}` })) });
      await waitFor('offsets 10..14 of range 0 after the topic grew', () => offsetsOf(got, 0).length >= 15, { timeoutMs: 30_000 });
      await sleep(500);
      expect([...got.offsets.keys()]).toEqual([0]);

      await source.grow(2 * RANGES);
      expect(await source.assign(2, 0)).toBe(0);
      await waitFor('offsets 0..4 of range 2', () => offsetsOf(got, 2).length >= 5, { timeoutMs: 30_000 });
      await late.send({ topic, acks: -1, messages: [{ partition: 0, value: 'p0-15' }] });
      await waitFor('offset 15 of range 0', () => offsetsOf(got, 0).length >= 16, { timeoutMs: 30_000 });
      await late.disconnect();
      await sleep(300);
      expect(offsetsOf(got, 0)).toEqual(seq(0, 16));
      expect(offsetsOf(got, 2)).toEqual(seq(0, 5));
      expect(offsetsOf(got, 3)).toEqual([]);
    });
  });

  describe('range source: start failure, close, bad input', () => {
    it('fails to start, reporting disconnected, when no broker answers', async () => {
      const nowhere = createKafka({
        brokers: ['127.0.0.1:1'],
        clientId: 'kafka-source-test',
        connectionTimeout: 200,
        retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
      });
      const groupId = `g-${randomUUID()}`;
      const source = client === 'kafkajs'
        ? createKafkajsSource({ kafka: nowhere, topic: 'anything', groupId, partitions: 1 })
        : createPlatformaticSource({ connection: { brokers: ['127.0.0.1:1'], clientId: 'kafka-source-test', connectTimeoutMs: 200, retries: 1, retryDelayMs: 50 }, topic: 'anything', groupId, partitions: 1 });
      await expect(source.start()).rejects.toThrow();
      expect(source.health().connected).toBe(false);
      await source.close();
    });

    it('delivers nothing after close, and close can be called twice', async () => {
      const topic = await newTopic();
      const { source, got } = await startSource(client, topic);
      await source.assign(0, 0);
      await source.close();
      await source.close();
      expect(source.health().connected).toBe(false);
      await append(topic, 0, 5);
      await sleep(500);
      expect(offsetsOf(got, 0)).toEqual([]);
    });

    it('rejects bad input clearly', async () => {
      const topic = await newTopic();
      const { source } = await startSource(client, topic);
      await expect(source.assign(0, -1)).rejects.toThrow(/non-negative integer/);
      await expect(source.assign(0, 1.5)).rejects.toThrow(/non-negative integer/);
      await expect(source.assign(0, 2 ** 53)).rejects.toThrow(/non-negative integer/);
      await expect(source.assign(RANGES, 0)).rejects.toThrow(/outside/);
      expect(() => sourceOf(client, { topic, groupId: 'x', partitions: 0 })).toThrow(/positive/);
      const wrong = sourceOf(client, { topic, groupId: `g-${randomUUID()}`, partitions: RANGES + 1 });
      await expect(wrong.start()).rejects.toThrow(/has 2 partitions but 3 ranges/);
    });
  });
});
