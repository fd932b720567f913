import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { startKafkaCluster, type KafkaCluster } from './kafka-cluster.js';
import { infraHome } from './paths.js';
import { startZooKeeper, type ZooKeeperCluster } from './zookeeper.js';

export interface InfraOptions {
  /** A 3-node ZooKeeper ensemble instead of a standalone server. */
  ensemble?: boolean;
  /** ZooKeeper client ports (1, or 3 with `ensemble`); free ports when absent. */
  zkPorts?: number[];
  /** Kafka nodes (each a broker and a KRaft controller voter); default 1. */
  kafkaBrokers?: number;
  /** First Kafka client port; node i (0-based) uses kafkaPort + i. Free ports when absent. */
  kafkaPort?: number;
  /** First KRaft controller port; node i uses controllerPort + i. */
  controllerPort?: number;
  /** Folder for everything this run writes; default a fresh .infra/runs/<id>. */
  runDir?: string;
  /** Delete runDir on close() (default: true when runDir was generated). */
  removeOnClose?: boolean;
  /** Leave the servers running after this process exits (the `infra up` CLI). */
  detached?: boolean;
  readyTimeoutMs?: number;
  logger?: Logger;
}

export interface Infra {
  readonly zookeeper: ZooKeeperCluster;
  readonly kafka: KafkaCluster;
  /** "127.0.0.1:2181" or the comma-separated ensemble. */
  readonly zkConnectString: string;
  /** For kafkajs: ["127.0.0.1:9092"], one per node. */
  readonly brokers: string[];
  readonly runDir: string;
  /** Stops everything this handle started; cached, so safe to call twice. */
  close(): Promise<void>;
}

export function newRunDir(home = infraHome()): string {
  return join(home, 'runs', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
}

/** Starts ZooKeeper (standalone or ensemble) and Kafka (one node or a cluster), both ready to use. */
export async function startInfra(options: InfraOptions = {}): Promise<Infra> {
  // Each part makes its own child logger; this one passes the caller's through.
  const logger = options.logger ?? pino({ level: 'silent' });
  const runDir = options.runDir ?? newRunDir();
  const removeOnClose = options.removeOnClose ?? options.runDir === undefined;
  mkdirSync(runDir, { recursive: true });
  const common = {
    runDir,
    logger,
    ...(options.detached !== undefined ? { detached: options.detached } : {}),
    ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
  };
  const zookeeper = await startZooKeeper({
    ...common,
    nodes: options.ensemble ? 3 : 1,
    ...(options.zkPorts ? { clientPorts: options.zkPorts } : {}),
  });
  const count = options.kafkaBrokers ?? 1;
  const consecutive = (first: number | undefined) => (first === undefined ? undefined : Array.from({ length: count }, (_, i) => first + i));
  const ports = consecutive(options.kafkaPort);
  const controllerPorts = consecutive(options.controllerPort);
  let kafka: KafkaCluster;
  try {
    kafka = await startKafkaCluster({
      ...common,
      brokers: count,
      ...(ports ? { ports } : {}),
      ...(controllerPorts ? { controllerPorts } : {}),
    });
  } catch (err) {
    await zookeeper.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    zookeeper,
    kafka,
    zkConnectString: zookeeper.connectString,
    brokers: kafka.brokers,
    runDir,
    close() {
      closing ??= (async () => {
        // Kafka first: it is the heavier one, and nothing of ours depends on it staying up.
        await kafka.close();
        await zookeeper.close();
        if (removeOnClose) rmSync(runDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
