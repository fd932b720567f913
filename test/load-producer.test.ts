// The load producer: keys land on rangeOf(key, R), per-key seq in order, rate kept.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createKafka } from '../poller/kafka-client.js';
import { loadValue, produceMessages } from '../poller/load-producer.js';
import type { LoadValue, ProduceProgress } from '../poller/load-producer.js';
import { rangeOf } from '../ring/index.js';
import { brokers } from './support/env.js';
import { readTopic } from './support/read-topic.js';

let kafka: Kafka;

beforeAll(() => {
  kafka = createKafka({ brokers: brokers(), clientId: 'load-producer-test' });
});

interface Landed {
  partition: number;
  key: string;
  value: LoadValue;
  size: number;
}

async function readLanded(topic: string, count: number): Promise<Landed[]> {
  return (await readTopic(kafka, topic, count)).map(({ partition, message }) => {
    const raw = message.value?.toString() ?? '';
    return { partition, key: message.key?.toString() ?? '', value: JSON.parse(raw) as LoadValue, size: raw.length };
  });
}

describe('load producer', () => {
  it('sends every key to partition rangeOf(key, R) with unique ids and per-key sequence numbers', async () => {
    const topic = `load-${randomUUID()}`;
    const ranges = 4;
    await ensureTopics({ kafka, topic, ranges, replicationFactor: 1 });
    const progress: ProduceProgress[] = [];
    const result = await produceMessages({
      kafka,
      topic,
      count: 1200,
      keys: 7,
      size: 120,
      batchSize: 100,
      onProgress: (p) => progress.push(p),
    });
    expect(result.sent).toBe(1200);
    expect(progress.at(-1)).toMatchObject({ sent: 1200, total: 1200 });

    const landed = await readLanded(topic, 1200);
    expect(landed).toHaveLength(1200);
    expect(new Set(landed.map((l) => l.value.id)).size).toBe(1200);
    const nextSeq = new Map<string, number>();
    for (const l of landed) {
      expect(l.key).toBe(`key-${l.value.id % 7}`);
      expect(l.value.key).toBe(l.key);
      expect(l.partition).toBe(rangeOf(l.key, ranges));
      expect(l.size).toBe(120);
      // Read back in partition order, so each key's seq counts up by one.
      expect(l.value.seq).toBe(nextSeq.get(l.key) ?? 0);
      nextSeq.set(l.key, l.value.seq + 1);
    }
    // 7 keys over 4 ranges: more than one partition is used.
    expect(new Set(landed.map((l) => l.partition)).size).toBeGreaterThan(1);
  });

  it('keeps to the requested rate', async () => {
    const topic = `load-${randomUUID()}`;
    await ensureTopics({ kafka, topic, ranges: 2, replicationFactor: 1 });
    const result = await produceMessages({ kafka, topic, count: 300, keys: 3, size: 50, rate: 400 });
    expect(result.sent).toBe(300);
    // 300 messages at 400/s: the last batch is due after ~0.7 s.
    expect(result.ms).toBeGreaterThanOrEqual(600);
    expect(result.ms).toBeLessThan(5000);
  });

  it('stops early when aborted and says how many went out', async () => {
    const topic = `load-${randomUUID()}`;
    await ensureTopics({ kafka, topic, ranges: 2, replicationFactor: 1 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const result = await produceMessages({ kafka, topic, count: 100_000, keys: 3, size: 20, rate: 500, signal: abort.signal });
    expect(result.sent).toBeGreaterThan(0);
    expect(result.sent).toBeLessThan(1000);
  });

  it('pads values to the requested size but never truncates the JSON', () => {
    expect(loadValue(17, 5, 200)).toHaveLength(200);
    expect(JSON.parse(loadValue(17, 5, 200))).toMatchObject({ id: 17, key: 'key-2', seq: 3 });
    const tiny = loadValue(3, 5, 1);
    expect(JSON.parse(tiny)).toEqual({ id: 3, key: 'key-3', seq: 0, pad: '' });
  });
});
