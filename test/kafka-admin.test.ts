// Topic admin against a real broker: idempotent creation, clear errors.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deadLetterTopicOf,
  describeTopic,
  ensureTopics,
  fetchEndOffsets,
  PartitionCountMismatchError,
  TopicNotFoundError,
} from '../poller/kafka-admin.js';
import { createKafka } from '../poller/kafka-client.js';
import { brokers } from './support/env.js';

let kafka: Kafka;

beforeAll(() => {
  kafka = createKafka({ brokers: brokers(), clientId: 'kafka-admin-test' });
});

describe('kafka admin', () => {
  it('creates the topic and its dead-letter topic with R partitions, once', async () => {
    const topic = `admin-${randomUUID()}`;
    const first = await ensureTopics({ kafka, topic, ranges: 3, replicationFactor: 1 });
    expect(first.created).toEqual([topic, `${topic}.dlq`]);
    expect(deadLetterTopicOf(topic)).toBe(`${topic}.dlq`);
    expect(await describeTopic(kafka, topic)).toBe(3);
    expect(await describeTopic(kafka, `${topic}.dlq`)).toBe(3);

    const again = await ensureTopics({ kafka, topic, ranges: 3, replicationFactor: 1 });
    expect(again.created).toEqual([]);
  });

  it('creates only the missing dead-letter topic when the work topic exists', async () => {
    const topic = `admin-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] });
    } finally {
      await admin.disconnect();
    }
    const result = await ensureTopics({ kafka, topic, ranges: 2 });
    expect(result.created).toEqual([`${topic}.dlq`]);
    expect(await describeTopic(kafka, `${topic}.dlq`)).toBe(2);
  });

  it('refuses a topic whose partition count differs from the ranges', async () => {
    const topic = `admin-${randomUUID()}`;
    await ensureTopics({ kafka, topic, ranges: 2, replicationFactor: 1 });
    const attempt = ensureTopics({ kafka, topic, ranges: 4, replicationFactor: 1 });
    await expect(attempt).rejects.toBeInstanceOf(PartitionCountMismatchError);
    await expect(ensureTopics({ kafka, topic, ranges: 4 })).rejects.toThrow(
      `topic ${topic} has 2 partitions but 4 ranges were asked for`,
    );
    expect(await describeTopic(kafka, topic)).toBe(2);
  });

  it('says how to create a topic that does not exist', async () => {
    const topic = `missing-${randomUUID()}`;
    const attempt = describeTopic(kafka, topic);
    await expect(attempt).rejects.toBeInstanceOf(TopicNotFoundError);
    await expect(describeTopic(kafka, topic)).rejects.toThrow(
      new RegExp(`topic ${topic} does not exist; create it with \`ringleader create`),
    );
    await expect(fetchEndOffsets(kafka, topic)).rejects.toBeInstanceOf(TopicNotFoundError);
  });

  it('fetches the end offset of every partition', async () => {
    const topic = `admin-${randomUUID()}`;
    await ensureTopics({ kafka, topic, ranges: 3, replicationFactor: 1 });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [0, 0, 0, 2].map((partition) => ({ partition, value: 'x' })) });
    } finally {
      await producer.disconnect();
    }
    expect(await fetchEndOffsets(kafka, topic)).toEqual(
      new Map([
        [0, '3'],
        [1, '0'],
        [2, '1'],
      ]),
    );
  });

  it('rejects a non-positive range count before talking to Kafka', async () => {
    await expect(ensureTopics({ kafka, topic: 'never-created', ranges: 0 })).rejects.toThrow(/positive integer/);
  });
});
