import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { BackoffOptions, ZkSessionOptions } from '../coordinator/index.js';
import type { KafkaSecurity } from './kafka-security.js';
import type { KafkaClientName } from './kafka-clients.js';
import type { Handler } from './message.js';

export interface PollerOptions {
  /** ZooKeeper connect string. */
  zk: string;
  group: string;
  zkRoot?: string;
  brokers: string[];
  topic: string;
  /** Unique within the group; default `<host>-<pid>-<random>`. */
  id?: string;
  weight?: number;
  /** Default: acknowledge and count. */
  handler?: Handler;
  /** Called on close (e.g. to close the sidecar's connections). */
  closeHandler?: () => void | Promise<void>;
  concurrency?: number;
  /** Cap on handler calls in flight across all ranges of this poller (default: no cap beyond concurrency per range). */
  maxInFlight?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  sessionTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Least time between two commit passes (each one multi): commits follow handled messages at most this often. Default 100. */
  commitIntervalMs?: number;
  drainTimeoutMs?: number;
  /** No Kafka broker answered for this long (ZooKeeper fine): mark unhealthy, give ranges away. Default 2 x session timeout; 0 = never. */
  fetchStallTimeoutMs?: number;
  /** The handler refused every call (HandlerUnavailable) for this long: mark unhealthy, give ranges away. Default 2 x session timeout; 0 = never. */
  handlerStallTimeoutMs?: number;
  /** Whether the handler's target (a sidecar) accepts connections again; asked while handler-stalled. */
  handlerProbe?: () => Promise<boolean>;
  settleMs?: number;
  /** Take part in leader election (every poller is a candidate unless --no-coordinator). */
  coordinator?: boolean;
  /** Serve /metrics and /healthz; 0 = any free port; undefined = off. */
  metricsPort?: number;
  metricsHost?: string;
  /** Where to start a range that has no committed offset yet. */
  from?: 'earliest' | 'latest';
  /** Above this many queued messages a range's fetching is paused. */
  maxQueuedPerRange?: number;
  logger?: Logger;
  /** Which Kafka client library the poller runs on (source, dead letters, admin calls); default kafkajs. */
  kafkaClient?: KafkaClientName;
  /** Inject a kafkajs client (tests, or custom SASL/TLS settings); overrides `kafkaClient`. */
  kafka?: Kafka;
  /** How long the kafkajs client made here waits for a broker's reply (a frozen broker holds its partitions this long); kafkajs's default 30 s when absent. */
  kafkaRequestTimeoutMs?: number;
  /** SASL/TLS of the Kafka clients made here (ignored with `kafka`). */
  kafkaSecurity?: KafkaSecurity;
  /** ZooKeeper digest credentials and ACLs (coordinator/acl.ts `zkSecurityOptions`). */
  zkSecurity?: Pick<ZkSessionOptions, 'auth' | 'acls' | 'parentAcls'>;
}
