// Public surface of infra/: real ZooKeeper and Kafka as local JVM processes.
export { startInfra, newRunDir, type Infra, type InfraOptions } from './infra.js';
export { startZooKeeper, ZooKeeperNode, type ZooKeeperCluster, type ZooKeeperOptions } from './zookeeper.js';
export { startKafka, KafkaBroker, type KafkaOptions } from './kafka.js';
export { startKafkaCluster, type KafkaCluster, type KafkaClusterOptions } from './kafka-cluster.js';
export type { KafkaSaslConfig, KafkaSaslUser, KafkaTlsConfig } from './kafka-config.js';
export { replicationFor } from './kafka-config.js';
export { freePort, freePorts, isPortFree } from './ports.js';
export { zooKeeperAnswers, kafkaAnswers } from './readiness.js';
export { fourLetterWord } from './four-letter-word.js';
export { ensureJars } from './jars.js';
export { InfraError } from './errors.js';
export { infraHome, repoRoot } from './paths.js';
export { parseEnvFile, formatEnvFile, type InfraEndpoints } from './env-file.js';
export { KAFKA_VERSION, ZOOKEEPER_VERSION } from './versions.js';
