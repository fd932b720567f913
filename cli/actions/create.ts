import type { Logger } from 'pino';
import { ZkSession, GroupPaths, createGroupConfig } from '../../coordinator/index.js';
import type { KafkaClientName } from '../../poller/index.js';
import { cliKafkaClients } from './kafka.js';
import { zkSecurity, kafkaSecurityFrom, type ZkAuthFlags, type KafkaAuthFlags } from '../secrets.js';

export interface CreateActionOptions extends ZkAuthFlags, KafkaAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  topic: string;
  ranges: number;
  brokers?: string[];
  replicationFactor?: number;
  kafkaClient: KafkaClientName;
}

/** `ringleader create`: the topic (and its .dlq) with R partitions, then the group's config. */
export async function runCreate(o: CreateActionOptions, log: Logger): Promise<Record<string, unknown>> {
  let topics: unknown = null;
  const security = zkSecurity(o);
  if (o.brokers) {
    const kafka = await cliKafkaClients(o.kafkaClient, o.brokers, log, undefined, kafkaSecurityFrom(o));
    topics = await kafka.ensureTopics({ topic: o.topic, ranges: o.ranges, ...(o.replicationFactor ? { replicationFactor: o.replicationFactor } : {}), logger: log });
  }
  const zk = new ZkSession({ connect: o.zk, connectTimeoutMs: o.connectTimeout, logger: log, ...security });
  await zk.start();
  try {
    const paths = new GroupPaths(o.group, o.zkRoot);
    const { created, config } = await createGroupConfig(zk, paths, { topic: o.topic, ranges: o.ranges });
    return { group: o.group, created, config, path: paths.config, topics };
  } finally {
    await zk.close();
  }
}
