// Proves the integration servers are the real thing: ZooKeeper sessions and
// ephemerals, Kafka produce/consume, and a 3-node ensemble surviving a crash.
import { rmSync } from 'node:fs';
import kafkajs from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newRunDir } from '../infra/infra.js';
import { startKafka, type KafkaBroker } from '../infra/kafka.js';
import { kafkaAnswers } from '../infra/readiness.js';
import { startZooKeeper, type ZooKeeperCluster } from '../infra/zookeeper.js';
import { brokers, randomName, zkConnect } from './support/env.js';

const { Kafka, logLevel } = kafkajs;
type ZkClient = zookeeper.Client;

function connectZk(connectString: string, sessionTimeout = 10_000): Promise<ZkClient> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout, spinDelay: 200 });
    const timer = setTimeout(() => {
      client.close();
      reject(new Error(`no ZooKeeper session with ${connectString} within 15 s`));
    }, 15_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

function call<T>(fn: (cb: (err: Error | zookeeper.Exception | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

const create = (c: ZkClient, path: string, data: string, mode: number) =>
  call<string>((cb) => c.create(path, Buffer.from(data), mode, cb));
const exists = (c: ZkClient, path: string) => call<zookeeper.Stat | null>((cb) => c.exists(path, (e, s) => cb(e, s ?? null)));
const getData = (c: ZkClient, path: string) => call<Buffer | undefined>((cb) => c.getData(path, (e, d) => cb(e, d)));
const setData = (c: ZkClient, path: string, data: string) =>
  call<zookeeper.Stat>((cb) => c.setData(path, Buffer.from(data), -1, cb));

/** Retries `op` while the client fails over to another server (CONNECTION_LOSS). */
async function eventually<T>(op: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

describe('ZooKeeper (shared server)', () => {
  it('is the server the global setup provided', () => {
    expect(inject('zkConnect')).toBe(zkConnect());
    expect(inject('brokers').split(',')).toEqual(brokers());
  });

  it('deletes an ephemeral znode when the session that owns it closes', async () => {
    const owner = await connectZk(zkConnect());
    const watcher = await connectZk(zkConnect());
    try {
      const path = `/${randomName('ephemeral')}`;
      await create(owner, path, 'mine', zookeeper.CreateMode.EPHEMERAL);
      const stat = await exists(watcher, path);
      expect(stat).not.toBeNull();
      // The owner field ties the node to the session; it is what disappears with it.
      expect(stat?.ephemeralOwner.toString('hex')).toBe(owner.getSessionId().toString('hex'));

      let deleted!: Promise<number>;
      // Wait for the reply, so the watch is in place before the session goes.
      const statWithWatch = await call<zookeeper.Stat | null>((cb) => {
        deleted = new Promise<number>((resolve) => {
          watcher.exists(path, (event) => resolve(event.getType()), (e, st) => cb(e, st ?? null));
        });
      });
      expect(statWithWatch).not.toBeNull();
      owner.close();
      expect(await deleted).toBe(zookeeper.Event.NODE_DELETED);
      expect(await exists(watcher, path)).toBeNull();
    } finally {
      owner.close();
      watcher.close();
    }
  });
});

describe('Kafka (shared broker)', () => {
  it('gives back a keyed message with the same key, value and partition', async () => {
    const kafka = new Kafka({ clientId: 'infra-test', brokers: brokers(), logLevel: logLevel.NOTHING });
    const topic = randomName('infra-test');
    const admin = kafka.admin();
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: randomName('infra-test-group') });
    try {
      await admin.connect();
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]?.partitions).toHaveLength(3);

      await producer.connect();
      const [sent] = await producer.send({ topic, messages: [{ key: 'key-7', value: 'value-7', partition: 2 }] });
      expect(sent?.partition).toBe(2);

      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received = await new Promise<{ key: string; value: string; partition: number; offset: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message, partition }) => {
            resolve({
              key: message.key?.toString() ?? '',
              value: message.value?.toString() ?? '',
              partition,
              offset: message.offset,
            });
          },
        });
      });
      expect(received).toEqual({ key: 'key-7', value: 'value-7', partition: 2, offset: sent?.baseOffset });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});

describe('ZooKeeper ensemble (started by this test)', () => {
  const runDir = newRunDir();
  let ensemble: ZooKeeperCluster;

  beforeAll(async () => {
    ensemble = await startZooKeeper({ runDir, nodes: 3 });
  });

  afterAll(async () => {
    await ensemble?.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('keeps serving a client when a node is killed, and the node rejoins on restart', async () => {
    expect(ensemble.nodes).toHaveLength(3);
    const modes = await Promise.all(ensemble.nodes.map((n) => n.mode()));
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);

    const client = await connectZk(ensemble.connectString, 15_000);
    const path = `/${randomName('ensemble')}`;
    try {
      await create(client, path, 'before', zookeeper.CreateMode.PERSISTENT);
      const sessionBefore = client.getSessionId().toString('hex');

      // The leader is the hard case: the survivors must elect a new one.
      const victim = await ensemble.leader();
      const victimPid = victim.pid;
      await victim.kill();
      expect(victim.running).toBe(false);
      expect(victimPid).toBeDefined();

      await eventually(() => setData(client, path, 'during'));
      expect((await eventually(() => getData(client, path)))?.toString()).toBe('during');
      // Same session: the ensemble carried it across the failure.
      expect(client.getSessionId().toString('hex')).toBe(sessionBefore);
      const survivors = ensemble.nodes.filter((n) => n !== victim);
      const survivorModes = await Promise.all(survivors.map((n) => n.mode()));
      expect(survivorModes.sort()).toEqual(['follower', 'leader']);

      await victim.restart();
      expect(victim.pid).toBeDefined();
      expect(victim.pid).not.toBe(victimPid);
      expect(await victim.mode()).toBe('follower');
      // Read through the restarted node alone. A follower syncs with the
      // leader before serving, so it must hold the write it missed.
      const direct = await connectZk(victim.connectString);
      try {
        expect((await getData(direct, path))?.toString()).toBe('during');
      } finally {
        direct.close();
      }
    } finally {
      client.close();
    }
  });
});

describe('Kafka node control (own broker, started by this test)', () => {
  const runDir = newRunDir();
  let broker: KafkaBroker;

  beforeAll(async () => {
    broker = await startKafka({ runDir });
  });

  afterAll(async () => {
    await broker?.close();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('goes silent when paused, answers when resumed, and keeps its data across a restart', async () => {
    const topic = randomName('control');
    const kafka = new Kafka({ clientId: 'infra-control-test', brokers: broker.brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'v' }], acks: -1 });
    await producer.disconnect();
    await admin.disconnect();

    broker.pause();
    expect(await kafkaAnswers(broker.brokers, 2_000)).toBe(false);
    broker.resume();
    expect(await kafkaAnswers(broker.brokers, 10_000)).toBe(true);

    const pidBefore = broker.pid;
    await broker.restart();
    expect(broker.pid).toBeDefined();
    expect(broker.pid).not.toBe(pidBefore);
    const after = kafka.admin();
    await after.connect();
    try {
      const offsets = await after.fetchTopicOffsets(topic);
      expect(offsets.map((o) => o.high)).toEqual(['1']);
    } finally {
      await after.disconnect();
    }
  });
});
