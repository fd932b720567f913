/**
 * A kafkajs consumer-group member for bench:rebalance: the classic protocol
 * with kafkajs's eager round-robin assigner (its only built-in one), its
 * defaults (session timeout 30 s, heartbeat 3 s) unless a session timeout is
 * given, and offsets committed by kafkajs after every batch (its default).
 * Partitions are handled side by side (partitionsConsumedConcurrently = the
 * partition count) as a poller handles its ranges, each partition in order.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { HandleMessage, Member, WorkerConfig } from './rebalance-worker.js';

export async function startKafkajsGroupMember(config: WorkerConfig, handle: HandleMessage): Promise<Member> {
  const kafka = new Kafka({ clientId: `bench-rebalance-${config.id}`, brokers: config.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({
    groupId: config.group,
    ...(config.sessionTimeoutMs !== undefined ? { sessionTimeout: config.sessionTimeoutMs } : {}),
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: config.topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 16,
    eachMessage: async ({ partition, message }) => {
      await handle(partition, Number(message.offset), Number(message.timestamp));
    },
  });
  return { stop: () => consumer.disconnect() };
}
