// A 3-node Kafka cluster from infra/ (its own, started here, not the shared
// servers): topics get 3 replicas and min.insync.replicas=2, and with one
// node killed an acks=all produce still succeeds and a consumer keeps reading.
import { rmSync } from 'node:fs';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRunDir, startKafkaCluster, type KafkaCluster } from '../infra/index.js';
import { ensureTopics } from '../poller/kafka-admin.js';
import { randomName } from './support/env.js';
import { waitFor } from './support/wait-for.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

describe('Kafka cluster of 3 nodes (own, started by this test)', () => {
  const runDir = newRunDir();
  let cluster: KafkaCluster;

  beforeAll(async () => {
    cluster = await startKafkaCluster({ runDir, brokers: 3 });
  }, 300_000);

  afterAll(async () => {
    await cluster?.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('keeps producing with acks=all and consuming while a partition leader is killed', async () => {
    expect(cluster.nodes.map((n) => n.name)).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
    expect(cluster.activeController()?.nodeId).toBeGreaterThanOrEqual(1);

    const topic = randomName('cluster');
    const kafka = new Kafka({ clientId: 'kafka-cluster-test', brokers: cluster.brokers, logLevel: logLevel.NOTHING, requestTimeout: 5_000, connectionTimeout: 2_000 });
    // No replication factor given: the cluster's default, which follows its size.
    await ensureTopics({ kafka, topic, ranges: 3 });
    const admin = kafka.admin();
    await admin.connect();
    const consumer = kafka.consumer({ groupId: randomName('cluster-group'), maxWaitTimeInMs: 100 });
    // Until the cluster fences the killed node (6 s without a heartbeat) and
    // moves its partitions, the leader it knows refuses connections at once:
    // retries must span that (kafkajs's 5 quick ones sometimes did not).
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 15, initialRetryTime: 300, maxRetryTime: 2_000 } });
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics[0]!.partitions;
      expect(partitions.map((p) => p.replicas.length)).toEqual([3, 3, 3]);
      const configs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }], includeSynonyms: false });
      expect(configs.resources[0]!.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue).toBe('2');

      const seen = new Set<string>();
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.add(String(message.value)) });
      await producer.connect();
      const send = (prefix: string) =>
        producer.send({ topic, acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}`, partition: i % 3 })) });
      await send('before');
      await waitFor('the consumer to read the first messages', () => seen.size === 30, { timeoutMs: 60_000 });

      const victim = cluster.node(partitions.find((p) => p.partitionId === 0)!.leader);
      await victim.kill();
      expect(victim.running).toBe(false);
      // Every partition had a replica there; the other two keep acks=all writes going.
      await send('after');
      await waitFor('the consumer to read what was produced after the kill', () => seen.size === 60, { timeoutMs: 60_000 });
      expect([...seen].filter((v) => v.startsWith('after-'))).toHaveLength(30);
      expect(await cluster.underReplicated()).toBeGreaterThan(0);

      await victim.restart();
      await waitFor('the restarted node back in sync', async () => (await cluster.underReplicated()) === 0, { timeoutMs: 120_000, everyMs: 500 });
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }, 300_000);
});
