import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createDeadLetterPublisher, type DeadLetterPublisher } from './dead-letter.js';
import { createKafka } from './kafka-client.js';
import { describeTopic, ensureTopics, fetchEndOffsets, type EnsureTopicsResult } from './kafka-admin.js';
import { createKafkajsSource, type KafkajsFetchOptions } from './kafka-source.js';
import type { KafkaSecurity } from './kafka-security.js';
import { produceLoad, produceMessages, type LoadOptions, type ProduceResult } from './load-producer.js';
import {
  platformaticDescribeTopic,
  platformaticEndOffsets,
  platformaticEnsureTopics,
  withPlatformaticAdmin,
} from './platformatic/admin.js';
import type { PlatformaticConnectOptions } from './platformatic/client-options.js';
import { createPlatformaticDeadLetterPublisher } from './platformatic/dead-letter.js';
import { platformaticLoadSender } from './platformatic/load-sender.js';
import { createPlatformaticSource } from './platformatic/source.js';
import type { RangeSource } from './range-source.js';

/** The Kafka client libraries ringleader runs on; kafkajs is the default. */
export const KAFKA_CLIENT_NAMES = ['kafkajs', 'platformatic'] as const;
export type KafkaClientName = (typeof KAFKA_CLIENT_NAMES)[number];

export interface KafkaConnectOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  security?: KafkaSecurity;
  /** One-shot commands: few, quick retries, so a wrong address fails in seconds. */
  failFast?: boolean;
}

export interface SourceSettings {
  topic: string;
  /** `ringleader.<group>.<pollerId>`: the kafkajs source's own consumer group; a client id otherwise. */
  groupId: string;
  partitions: number;
  logger?: Logger;
  fetch?: KafkajsFetchOptions;
}

/** Everything ringleader does with Kafka, on one client library. */
export interface KafkaClients {
  readonly name: KafkaClientName;
  /** Partition count; TopicNotFoundError when the topic does not exist. */
  describeTopic(topic: string): Promise<number>;
  /** `<topic>` and `<topic>.dlq` with `ranges` partitions each (kafka-admin.ts ensureTopics). */
  ensureTopics(opts: { topic: string; ranges: number; replicationFactor?: number; logger?: Logger }): Promise<EnsureTopicsResult>;
  /** High watermark of every partition, as strings. */
  endOffsets(topic: string): Promise<Map<number, string>>;
  createSource(opts: SourceSettings): RangeSource;
  createDeadLetterPublisher(opts: { topic: string; logger?: Logger }): DeadLetterPublisher;
  /** The keyed load of load-producer.ts. */
  produce(opts: LoadOptions): Promise<ProduceResult>;
}

/** The clients of library `name`, connected as `opts` says. */
export function kafkaClients(name: KafkaClientName, opts: KafkaConnectOptions): KafkaClients {
  if (name === 'platformatic') {
    return platformaticClients({
      brokers: opts.brokers,
      clientId: opts.clientId,
      ...(opts.security ? { security: opts.security } : {}),
      ...(opts.failFast ? { retries: 3, retryDelayMs: 300 } : {}),
    });
  }
  return kafkajsClients(
    createKafka({
      brokers: opts.brokers,
      clientId: opts.clientId,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.security ? { security: opts.security } : {}),
      ...(opts.failFast ? { connectionTimeout: 3_000, retry: { retries: 3, initialRetryTime: 300 } } : {}),
    }),
  );
}

/** KafkaClients on a kafkajs client made elsewhere (tests, custom settings). */
export function kafkajsClients(kafka: Kafka): KafkaClients {
  return {
    name: 'kafkajs',
    describeTopic: (topic) => describeTopic(kafka, topic),
    ensureTopics: (o) => ensureTopics({ kafka, ...o }),
    endOffsets: (topic) => fetchEndOffsets(kafka, topic),
    createSource: (o) => createKafkajsSource({ kafka, ...o }),
    createDeadLetterPublisher: (o) => createDeadLetterPublisher({ kafka, ...o }),
    produce: (o) => produceMessages({ kafka, ...o }),
  };
}

export function platformaticClients(connection: PlatformaticConnectOptions): KafkaClients {
  return {
    name: 'platformatic',
    describeTopic: (topic) => platformaticDescribeTopic(connection, topic),
    ensureTopics: (o) => withPlatformaticAdmin(connection, (admin) => platformaticEnsureTopics(admin, o)),
    endOffsets: async (topic) => {
      const partitions = await platformaticDescribeTopic(connection, topic);
      return withPlatformaticAdmin(connection, (admin) => platformaticEndOffsets(admin, topic, partitions));
    },
    createSource: (o) => createPlatformaticSource({ connection, ...o }),
    createDeadLetterPublisher: (o) => createPlatformaticDeadLetterPublisher({ connection, ...o }),
    produce: (o) => produceLoad(o, () => platformaticLoadSender(connection, o.topic)),
  };
}
