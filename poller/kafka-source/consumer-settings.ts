import type { Cluster, ConsumerConfig } from 'kafkajs';
import { everyPartitionAssignerWith } from './every-partition-assigner.js';

/** Fetch settings; the defaults favour throughput and quick reaction to assign(). */
export interface KafkajsFetchOptions {
  maxBytesPerPartition?: number;
  maxBytes?: number;
  minBytes?: number;
  /**
   * Also how long a newly assigned range may wait for its first fetch when
   * every range was paused (kafkajs then sleeps this long between polls).
   */
  maxWaitTimeInMs?: number;
  partitionsConsumedConcurrently?: number;
}

export const FETCH_DEFAULTS = {
  maxBytesPerPartition: 1024 * 1024,
  maxBytes: 10 * 1024 * 1024,
  minBytes: 1,
  maxWaitTimeInMs: 100,
  /** At most this many partitions handled at once (fewer if the topic has fewer). */
  partitionsConsumedConcurrently: 4,
} as const;

export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

export interface ConsumerSettings {
  groupId: string;
  sessionTimeout: number;
  fetch: KafkajsFetchOptions;
  /** Whether kafkajs may restart the consumer itself after a retriable crash. */
  restartOnFailure: () => Promise<boolean>;
  /** Given the consumer's cluster when kafkajs builds the consumer (see everyPartitionAssignerWith). */
  onCluster?: (cluster: Cluster) => void;
}

/** The kafkajs consumer of a range source: its own group, every partition, nothing created on the fly. */
export function consumerConfig(s: ConsumerSettings): ConsumerConfig {
  return {
    groupId: s.groupId,
    partitionAssigners: [everyPartitionAssignerWith(s.onCluster ?? (() => undefined))],
    sessionTimeout: s.sessionTimeout,
    heartbeatInterval: Math.floor(s.sessionTimeout / 3),
    rebalanceTimeout: s.sessionTimeout,
    maxBytesPerPartition: s.fetch.maxBytesPerPartition ?? FETCH_DEFAULTS.maxBytesPerPartition,
    maxBytes: s.fetch.maxBytes ?? FETCH_DEFAULTS.maxBytes,
    minBytes: s.fetch.minBytes ?? FETCH_DEFAULTS.minBytes,
    maxWaitTimeInMs: s.fetch.maxWaitTimeInMs ?? FETCH_DEFAULTS.maxWaitTimeInMs,
    allowAutoTopicCreation: false,
    retry: { restartOnFailure: s.restartOnFailure },
  };
}
