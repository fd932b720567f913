export interface KafkaConfig {
  host: string;
  port: number;
  controllerPort: number;
  logDir: string;
  nodeId?: number;
}

/**
 * server.properties for a single-node KRaft broker+controller. The static
 * voter list (rather than a dynamic quorum) keeps formatting a one-step affair.
 * Internal topics get replication factor 1 since there is only one broker.
 */
export function serverProperties(config: KafkaConfig): string {
  const nodeId = config.nodeId ?? 1;
  const { host, port, controllerPort } = config;
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${nodeId}@${host}:${controllerPort}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${config.logDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    // Fewer than the default 50 so the first consumer group starts quickly.
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // Tests join groups constantly; the default 3 s delay would dominate them.
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=24',
  ].join('\n') + '\n';
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

/** A Kafka cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
export function randomClusterId(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new Error(`cluster id needs 16 bytes, got ${bytes.length}`);
  return Buffer.from(bytes).toString('base64url');
}
