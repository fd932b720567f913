// Dead letters land in <topic>.dlq on the range's partition with every header,
// on each Kafka client (kafkajs, @platformatic/kafka).
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadLetterPublisher, MAX_ERROR_LENGTH } from '../poller/dead-letter.js';
import type { DeadLetterPublisher } from '../poller/dead-letter.js';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createKafka } from '../poller/kafka-client.js';
import { KAFKA_CLIENT_NAMES, type KafkaClientName } from '../poller/kafka-clients.js';
import { createPlatformaticDeadLetterPublisher } from '../poller/platformatic/dead-letter.js';
import type { RingMessage } from '../poller/message.js';
import { brokers } from './support/env.js';
import { readTopic } from './support/read-topic.js';

let kafka: Kafka;
const publishers: DeadLetterPublisher[] = [];

beforeAll(() => {
  kafka = createKafka({ brokers: brokers(), clientId: 'dead-letter-test' });
});

afterAll(async () => {
  await Promise.all(publishers.map((p) => p.close()));
});


function ringMessage(topic: string, over: Partial<RingMessage> = {}): RingMessage {
  return {
    topic,
    range: 2,
    partition: 2,
    offset: '41',
    key: 'customer-7',
    value: Buffer.from([0, 1, 2, 250, 255]),
    headers: { 'trace-id': 'abc' },
    timestamp: '1700000000000',
    attempt: 5,
    ...over,
  };
}

function publisherOf(client: KafkaClientName, topic: string): DeadLetterPublisher {
  const dlq = client === 'kafkajs' ? createDeadLetterPublisher({ kafka, topic }) : createPlatformaticDeadLetterPublisher({ connection: { brokers: brokers(), clientId: 'dead-letter-test' }, topic });
  publishers.push(dlq);
  return dlq;
}

describe.each(KAFKA_CLIENT_NAMES)('dead-letter publisher on %s', (client) => {
  it('writes the message to <topic>.dlq on its range partition with the failure headers', async () => {
    const topic = `dlq-${randomUUID()}`;
    await ensureTopics({ kafka, topic, ranges: 3, replicationFactor: 1 });
    const dlq = publisherOf(client, topic);

    const before = Date.now();
    await dlq.publish(ringMessage(topic), new Error('handler exploded'), 5);
    await dlq.publish(ringMessage(topic, { range: 0, partition: 0, offset: '3', key: null }), 'x'.repeat(5000), 2);

    const read = await readTopic(kafka, `${topic}.dlq`, 2);
    const byPartition = new Map(read.map((r) => [r.partition, r.message]));
    expect([...byPartition.keys()].sort()).toEqual([0, 2]);

    const first = byPartition.get(2)!;
    expect(first.key?.toString()).toBe('customer-7');
    expect(first.value).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    const h = Object.fromEntries(Object.entries(first.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(h).toMatchObject({
      'trace-id': 'abc',
      'ringleader-original-topic': topic,
      'ringleader-original-range': '2',
      'ringleader-original-partition': '2',
      'ringleader-original-offset': '41',
      'ringleader-error': 'handler exploded',
      'ringleader-attempts': '5',
    });
    const failedAt = Date.parse(h['ringleader-failed-at'] ?? '');
    expect(failedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(failedAt).toBeLessThanOrEqual(Date.now());

    const second = byPartition.get(0)!;
    expect(second.key).toBeNull();
    const error = second.headers?.['ringleader-error']?.toString() ?? '';
    expect(error.length).toBe(MAX_ERROR_LENGTH);
    expect(error.startsWith('xxxx')).toBe(true);
    expect(second.headers?.['ringleader-attempts']?.toString()).toBe('2');
  });

  it('rejects when the dead-letter topic cannot be written, so the caller never acks', async () => {
    const topic = `no-dlq-${randomUUID()}`;
    const impatient = createKafka({
      brokers: brokers(),
      clientId: 'dead-letter-test',
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 200 },
    });
    // (@platformatic/kafka retries an idempotent send forever when told 1 retry or fewer.)
    const dlq = client === 'kafkajs'
      ? createDeadLetterPublisher({ kafka: impatient, topic })
      : createPlatformaticDeadLetterPublisher({ connection: { brokers: brokers(), clientId: 'dead-letter-test', retries: 2, retryDelayMs: 50 }, topic });
    publishers.push(dlq);
    await expect(dlq.publish(ringMessage(topic), new Error('x'), 1)).rejects.toThrow();
  });

  it('refuses to publish after close', async () => {
    const dlq = publisherOf(client, 'whatever');
    await dlq.close();
    await expect(dlq.publish(ringMessage('whatever'), new Error('x'), 1)).rejects.toThrow(/closed/);
  });
});
