// Public library API of ringleader: named exports only.

// Keyspace and assignment (pure).
export {
  murmur3,
  rangeOf,
  rangeOfHash,
  rangeBounds,
  assign,
  quotas,
  diff,
  whatIf,
  createRangePartitioner,
  RingError,
  MAX_RANGES,
} from './ring/index.js';
export type { Member, Owners, Move, WhatIfInput, WhatIfResult } from './ring/index.js';

// The poller (data plane).
export { createPoller, Poller } from './poller/index.js';
export type { PollerOptions, PollerStatus } from './poller/index.js';
export { DeadLetterNow, plainMessage } from './poller/index.js';
export type { RingMessage, Handler } from './poller/index.js';
export { createHttpHandler } from './poller/index.js';
export { loadModuleHandler } from './poller/index.js';
export { createCountingHandler } from './poller/index.js';
export { createKafka } from './poller/index.js';
export { ensureTopics, describeTopic, TopicNotFoundError } from './poller/index.js';
export { produceMessages } from './poller/index.js';
export { createRingProducer } from './poller/index.js';
export type { RingProducer, RingProducerOptions, RingRecord, RecordPlacement } from './poller/index.js';

// The control plane (ZooKeeper).
export {
  ZkSession,
  GroupPaths,
  Coordinator,
  createGroupConfig,
  readGroupConfig,
  readGroupSnapshot,
  GroupWatcher,
  ConfigError,
} from './coordinator/index.js';
export type { GroupSnapshot, GroupEvent, SessionState } from './coordinator/index.js';

// Security (SECURITY.md): ZooKeeper digest ACLs and Kafka SASL/TLS.
export { zkSecurityOptions, digestId, AclError } from './coordinator/index.js';
export type { ZkCredentials } from './coordinator/index.js';
export type { KafkaSecurity } from './poller/index.js';
