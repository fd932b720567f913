import type { Kafka, Message, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { rangeOf } from '../ring/index.js';
import { loadKey, produceMessages } from './load-producer.js';

/**
 * A Kafka of 4 partitions whose first send of partition 2 comes back without
 * a result, as kafkajs's send() does when a retry misses a partition whose
 * leader moved to a broker that had already replied.
 */
function kafkaDroppingPartition2Once() {
  const written: { partition: number; key: string }[] = [];
  let dropped = false;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => ['t'],
    fetchTopicMetadata: async () => ({ topics: [{ name: 't', partitions: [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1] })) }] }),
  };
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (r: ProducerRecord): Promise<RecordMetadata[]> => {
      const parts = new Set<number>();
      for (const m of r.messages as Message[]) {
        if (m.partition === 2 && !dropped) continue;
        written.push({ partition: m.partition!, key: String(m.key) });
        parts.add(m.partition!);
      }
      if (r.messages.some((m) => m.partition === 2)) dropped = true;
      return [...parts].map((partition) => ({ topicName: 't', partition, errorCode: 0, baseOffset: '0' }));
    },
  };
  return { kafka: { admin: () => admin, producer: () => producer } as unknown as Kafka, written };
}

describe('produceMessages', () => {
  it('writes every message even when a send silently leaves a partition out', async () => {
    const { kafka, written } = kafkaDroppingPartition2Once();
    await produceMessages({ kafka, topic: 't', count: 40, keys: 8, size: 10, batchSize: 40 });
    expect(written).toHaveLength(40);
    for (const w of written) expect(w.partition).toBe(rangeOf(w.key, 4));
    expect(written.filter((w) => w.partition === 2).length).toBe(Array.from({ length: 40 }, (_, i) => loadKey(i, 8)).filter((k) => rangeOf(k, 4) === 2).length);
  });
});
