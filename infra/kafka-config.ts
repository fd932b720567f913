export interface KafkaSaslUser {
  username: string;
  password: string;
}

/**
 * A SASL_PLAINTEXT client listener instead of PLAINTEXT. Every user may log in
 * with PLAIN and with SCRAM-SHA-512 (SCRAM credentials are written by
 * `kafka-storage format --add-scram`); the first user is also the broker's
 * own inter-broker identity. No authorizer: any authenticated user may do anything.
 */
export interface KafkaSaslConfig {
  users: KafkaSaslUser[];
}

/**
 * TLS on the client listener (SSL, or SASL_SSL with `sasl`): PEM files. The
 * keystore file holds the unencrypted PKCS#8 key and the certificate chain;
 * the CA file is also what the broker trusts when it talks to itself, so the
 * certificate must name the host (subjectAltName IP:127.0.0.1).
 */
export interface KafkaTlsConfig {
  keystoreFile: string;
  caFile: string;
}

export interface KafkaConfig {
  host: string;
  port: number;
  controllerPort: number;
  logDir: string;
  nodeId?: number;
  /**
   * Every node of a cluster (combined broker+controller nodes, each a voter),
   * this one included; absent: a single node voting for itself.
   */
  cluster?: KafkaClusterMember[];
  sasl?: KafkaSaslConfig;
  tls?: KafkaTlsConfig;
  /** More broker properties, written last (a key given here replaces the default above it). */
  extra?: Record<string, string>;
}

/** One node of a KRaft cluster of combined broker+controller nodes. */
export interface KafkaClusterMember {
  id: number;
  port: number;
  controllerPort: number;
}

/**
 * Replication that follows the cluster size: up to 3 copies of every
 * partition, and an acks=all write needs 2 of them when there are 3, so one
 * node may be down without losing an acknowledged write or blocking producers.
 */
export function replicationFor(brokers: number): { replicationFactor: number; minInsyncReplicas: number } {
  if (!Number.isSafeInteger(brokers) || brokers < 1) throw new RangeError(`brokers must be a positive integer, got ${brokers}`);
  const replicationFactor = Math.min(3, brokers);
  return { replicationFactor, minInsyncReplicas: replicationFactor >= 3 ? 2 : 1 };
}

/** "1@127.0.0.1:9093,2@127.0.0.1:9094,...": the static controller quorum. */
export function quorumVoters(host: string, members: KafkaClusterMember[]): string {
  return members.map((m) => `${m.id}@${host}:${m.controllerPort}`).join(',');
}

function jaasQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function saslProperties(sasl: KafkaSaslConfig, listener: string): string[] {
  const admin = sasl.users[0];
  if (!admin) throw new Error('a SASL broker needs at least one user');
  const users = sasl.users.map((u) => `user_${u.username}=${jaasQuote(u.password)}`).join(' ');
  return [
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    `listener.name.${listener}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=${jaasQuote(admin.username)} password=${jaasQuote(admin.password)} ${users};`,
    `listener.name.${listener}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
  ];
}

/** `kafka-storage format` arguments that create the SCRAM-SHA-512 credentials of `sasl`'s users. */
export function scramFormatArgs(sasl: KafkaSaslConfig | undefined): string[] {
  if (!sasl) return [];
  return sasl.users.flatMap((u) => {
    if (!/^[A-Za-z0-9._-]+$/.test(u.username) || /[\],=\s]/.test(u.password)) {
      throw new Error(`SCRAM user ${u.username}: use a username of letters, digits, '.', '_', '-' and a password without ',', '=', ']' or spaces`);
    }
    return ['--add-scram', `SCRAM-SHA-512=[name=${u.username},password=${u.password}]`];
  });
}

/**
 * server.properties for a KRaft node that is both broker and controller: a
 * single node, or one of a cluster where every node is a voter. The static
 * voter list (rather than a dynamic quorum) keeps formatting a one-step affair.
 * Topics and internal topics get the replication of `replicationFor`.
 */
export function serverProperties(config: KafkaConfig): string {
  const nodeId = config.nodeId ?? 1;
  const { host, port, controllerPort } = config;
  const members = config.cluster ?? [{ id: nodeId, port, controllerPort }];
  const self = members.find((m) => m.id === nodeId);
  if (!self || self.port !== port || self.controllerPort !== controllerPort) {
    throw new Error(`node ${nodeId} (ports ${port}/${controllerPort}) is not one of its cluster's members`);
  }
  const { replicationFactor: rf, minInsyncReplicas: minIsr } = replicationFor(members.length);
  const l = config.tls ? (config.sasl ? 'SASL_SSL' : 'SSL') : config.sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${quorumVoters(host, members)}`,
    `listeners=${l}://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=${l}://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    `inter.broker.listener.name=${l}`,
    `listener.security.protocol.map=CONTROLLER:PLAINTEXT,${l}:${l}`,
    ...(config.sasl ? saslProperties(config.sasl, l.toLowerCase()) : []),
    ...(config.tls
      ? [
          'ssl.keystore.type=PEM',
          `ssl.keystore.location=${config.tls.keystoreFile}`,
          'ssl.truststore.type=PEM',
          `ssl.truststore.location=${config.tls.caFile}`,
        ]
      : []),
    `log.dirs=${config.logDir}`,
    'num.partitions=1',
    `default.replication.factor=${rf}`,
    `min.insync.replicas=${minIsr}`,
    `offsets.topic.replication.factor=${rf}`,
    // Fewer than the default 50 so the first consumer group starts quickly.
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    ...(members.length > 1
      ? [
          // A node that stops heartbeating (killed, frozen) is fenced and its
          // partitions get new leaders after 6 s rather than the default 9 s:
          // a local cluster for fault tests, where failovers are measured.
          // Much shorter and a busy machine fences live nodes.
          'broker.heartbeat.interval.ms=1000',
          'broker.session.timeout.ms=6000',
        ]
      : []),
    // Tests join groups constantly; the default 3 s delay would dominate them.
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=24',
    ...extraProperties(config.extra),
  ].join('\n') + '\n';
}

function extraProperties(extra: Record<string, string> | undefined): string[] {
  return Object.entries(extra ?? {}).map(([k, v]) => {
    if (!/^[a-z0-9._-]+$/i.test(k) || /[\r\n]/.test(v)) throw new Error(`broker property ${JSON.stringify(k)}: a name of letters, digits, '.', '_', '-' and a one-line value`);
    return `${k}=${v}`;
  });
}

/** Log4j 2 config: everything at INFO to stdout, which the launcher sends to the node's log file. */
export function log4j2Properties(): string {
  return [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = out',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.out.ref = out',
    // These two are chatty at INFO and say nothing a developer needs here.
    'logger.kafka-request.name = kafka.request.logger',
    'logger.kafka-request.level = warn',
    'logger.state-change.name = state.change.logger',
    'logger.state-change.level = warn',
  ].join('\n') + '\n';
}

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding (what
 * `kafka-storage random-uuid` prints). Like Kafka's Uuid.randomUuid() it
 * never starts with '-': `kafka-storage format --cluster-id -x...` reads
 * such an id as a flag and fails (1 start in 64 did, before this).
 */
export function randomClusterId(nextBytes: () => Uint8Array): string {
  for (;;) {
    const bytes = nextBytes();
    if (bytes.length !== 16) throw new Error(`cluster id needs 16 bytes, got ${bytes.length}`);
    const id = Buffer.from(bytes).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
