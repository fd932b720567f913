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
export { createPoller, Poller } from './poller/poller.js';
export type { PollerOptions, PollerStatus } from './poller/poller.js';
export { DeadLetterNow } from './poller/message.js';
export type { RingMessage, Handler } from './poller/message.js';
export { createHttpHandler } from './poller/handlers/http-handler.js';
export { loadModuleHandler } from './poller/handlers/module-handler.js';
export { createCountingHandler } from './poller/handlers/counting-handler.js';
export { createKafka } from './poller/kafka-client.js';
export { ensureTopics, describeTopic, TopicNotFoundError } from './poller/kafka-admin.js';
export { produceMessages } from './poller/load-producer.js';

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
export type { KafkaSecurity } from './poller/kafka-security.js';
