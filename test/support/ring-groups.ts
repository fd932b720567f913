// Groups with a topic and ring producers, for the tests of producers that
// follow the group (ring-producer.test.ts, resize.test.ts). Everything made
// is closed by the given Cleanups.
import type { Kafka } from 'kafkajs';
import { createGroupConfig, GroupPaths, ZkSession } from '../../coordinator/index.js';
import { createKafka, createRingProducer, ensureTopics, type RingProducer } from '../../poller/index.js';
import type { Cleanups } from './cleanups.js';
import { brokers, randomName, zkConnect } from './env.js';

export interface TestGroup {
  zk: ZkSession;
  paths: GroupPaths;
  topic: string;
}

export class RingGroups {
  private client: Kafka | null = null;

  constructor(private readonly cleanups: Cleanups, private readonly prefix: string) {}

  /** Made on first use: the servers are known only once the tests run. */
  get kafka(): Kafka {
    this.client ??= createKafka({ brokers: brokers(), clientId: `${this.prefix}-test` });
    return this.client;
  }

  async session(): Promise<ZkSession> {
    const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
    await zk.start();
    this.cleanups.add(() => zk.close());
    return zk;
  }

  /** A group of R ranges on a new topic of `partitions` partitions (default R). */
  async group(ranges: number, partitions = ranges): Promise<TestGroup> {
    const zk = await this.session();
    const paths = new GroupPaths(randomName(this.prefix));
    const topic = randomName(this.prefix);
    await ensureTopics({ kafka: this.kafka, topic, ranges: partitions, replicationFactor: 1 });
    await createGroupConfig(zk, paths, { topic, ranges });
    return { zk, paths, topic };
  }

  async producer(g: { paths: GroupPaths }, id?: string): Promise<RingProducer> {
    const p = await createRingProducer({ zk: zkConnect(), group: g.paths.group, kafka: this.kafka, ...(id ? { id } : {}) });
    this.cleanups.add(() => p.close());
    return p;
  }
}
