import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createDeadLetterPublisher, type DeadLetterPublisher } from './dead-letter.js';
import { createKafka } from './kafka-client.js';
import { describeTopic, ensureTopics, fetchEndOffsets, growTopics, type EnsureTopicsResult } from './kafka-admin.js';
import { createKafkajsSource, type KafkajsFetchOptions } from './kafka-source.js';
import type { KafkaSecurity } from './kafka-security.js';
import { produceMessages, type LoadOptions, type ProduceResult } from './load-producer.js';
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
  /** How long the kafkajs client waits for a broker's reply (kafkajs's 30 s when absent); the platformatic client keeps its own. */
  requestTimeoutMs?: number;
}

export interface SourceSettings {
  topic: string;
  /** `ringleader.<group>.<pollerId>`: the kafkajs source's own consumer group; a client id otherwise. */
  groupId: string;
  partitions: number;
  logger?: Logger;
  fetch?: KafkajsFetchOptions;
}

export interface EndOffsetsReader {
  read(): Promise<Map<number, string>>;
  close(): Promise<void>;
}

/** Everything ringleader does with Kafka, on one client library. */
export interface KafkaClients {
  readonly name: KafkaClientName;
  /** Partition count; TopicNotFoundError when the topic does not exist. */
  describeTopic(topic: string): Promise<number>;
  /** `<topic>` and `<topic>.dlq` with `ranges` partitions each (kafka-admin.ts ensureTopics). */
  ensureTopics(opts: { topic: string; ranges: number; replicationFactor?: number; logger?: Logger }): Promise<EnsureTopicsResult>;
  /** Grows `<topic>` and `<topic>.dlq` to at least `partitions` partitions; returns the topics grown. */
  growTopics(opts: { topic: string; partitions: number; logger?: Logger }): Promise<string[]>;
  /** High watermark of every partition, as strings. */
  endOffsets(topic: string): Promise<Map<number, string>>;
  /** An admin connection kept open for repeated end-offset reads (a resize reads them while producers wait). */
  openEndOffsets(topic: string): Promise<EndOffsetsReader>;
  createSource(opts: SourceSettings): RangeSource;
  createDeadLetterPublisher(opts: { topic: string; logger?: Logger }): DeadLetterPublisher;
  /** The keyed load of load-producer.ts. */
  produce(opts: LoadOptions): Promise<ProduceResult>;
}

/**
 * The clients of library `name`, connected as `opts` says. @platformatic/kafka
 * is loaded only when asked for: it doubles the start-up time of every
 * command otherwise.
 */
export async function kafkaClients(name: KafkaClientName, opts: KafkaConnectOptions): Promise<KafkaClients> {
  if (name === 'platformatic') {
    const { platformaticClients } = await import('./platformatic/clients.js');
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
      ...(opts.requestTimeoutMs !== undefined ? { requestTimeout: opts.requestTimeoutMs } : {}),
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
    growTopics: (o) => growTopics({ kafka, ...o }),
    endOffsets: (topic) => fetchEndOffsets(kafka, topic),
    openEndOffsets: async (topic) => {
      const admin = kafka.admin();
      await admin.connect();
      return {
        read: async () => new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high])),
        close: () => admin.disconnect(),
      };
    },
    createSource: (o) => createKafkajsSource({ kafka, ...o }),
    createDeadLetterPublisher: (o) => createDeadLetterPublisher({ kafka, ...o }),
    produce: (o) => produceMessages({ kafka, ...o }),
  };
}
