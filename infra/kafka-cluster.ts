import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import pino, { type Logger } from 'pino';
import { ensureJars } from './jars.js';
import { KafkaBroker, startKafka, versionFromJars } from './kafka.js';
import { log4j2Properties, randomClusterId, serverProperties, type KafkaClusterMember } from './kafka-config.js';
import { assertPortsFree, freePorts } from './ports.js';

const { Kafka, logLevel } = kafkajs;

export interface KafkaClusterOptions {
  /** Folder for every node's config, data and log (created). */
  runDir: string;
  /** Number of nodes, each a broker and a controller voter (default 1). */
  brokers?: number;
  /** Client ports, one per node; free ones when absent. */
  ports?: number[];
  /** Controller ports, one per node; free ones when absent. */
  controllerPorts?: number[];
  host?: string;
  detached?: boolean;
  readyTimeoutMs?: number;
  heap?: string;
  logger?: Logger;
}

/** Kafka as the chaos run and `infra up` see it: one node or several, with per-node control. */
export interface KafkaCluster {
  readonly nodes: KafkaBroker[];
  /** For kafkajs: every node's "host:port". */
  readonly brokers: string[];
  /** The same, comma-separated. */
  readonly bootstrap: string;
  readonly version: string;
  /** By node id (1-based). */
  node(id: number): KafkaBroker;
  /** The node whose controller leads the KRaft quorum, as its log says; undefined when none is known. */
  activeController(): KafkaBroker | undefined;
  /** Partitions (of every topic, internal ones included) with fewer in-sync replicas than replicas. */
  underReplicated(): Promise<number>;
  /** Stops every node it started. Idempotent. */
  close(): Promise<void>;
}

/**
 * Each raft state change of a KRaft node is logged as "Completed transition
 * to FollowerState(... epoch=N ...)" (the leader's as "... to Leader(...");
 * the active controller is the running node whose last transition is to
 * Leader in the highest epoch.
 */
const TRANSITION = /Completed transition to (\w+?)(?:State)?\(.*?[(, ]epoch=(\d+)/g;

/** The last raft transition a node's log shows: its state and epoch. */
export function lastRaftTransition(log: string): { state: string; epoch: number } | undefined {
  let last: { state: string; epoch: number } | undefined;
  for (const m of log.matchAll(TRANSITION)) last = { state: m[1] as string, epoch: Number(m[2]) };
  return last;
}

/** Client and controller ports: the given ones, or consecutive ones from a first port. */
export function clusterMembers(count: number, ports: number[], controllerPorts: number[]): KafkaClusterMember[] {
  if (ports.length !== count || controllerPorts.length !== count) {
    throw new Error(`a ${count}-node Kafka cluster needs ${count} client and ${count} controller ports`);
  }
  const all = [...ports, ...controllerPorts];
  const twice = all.find((p, i) => all.indexOf(p) !== i);
  if (twice !== undefined) throw new Error(`port ${twice} is given to two Kafka listeners`);
  return ports.map((port, i) => ({ id: i + 1, port, controllerPort: controllerPorts[i] as number }));
}

function wrap(nodes: KafkaBroker[], host: string, version: string, close: () => Promise<void>): KafkaCluster {
  const brokers = nodes.map((n) => `${host}:${n.port}`);
  return {
    nodes,
    brokers,
    bootstrap: brokers.join(','),
    version,
    node(id: number) {
      const n = nodes[id - 1];
      if (!n) throw new Error(`no Kafka node ${id} (have 1..${nodes.length})`);
      return n;
    },
    activeController() {
      let best: { node: KafkaBroker; epoch: number } | undefined;
      for (const node of nodes) {
        if (!node.running || !existsSync(node.logFile)) continue;
        const last = lastRaftTransition(readFileSync(node.logFile, 'utf8'));
        if (last?.state === 'Leader' && (!best || last.epoch > best.epoch)) best = { node, epoch: last.epoch };
      }
      return best?.node;
    },
    async underReplicated() {
      const admin = new Kafka({ clientId: 'ringleader-infra-probe', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, requestTimeout: 5_000, retry: { retries: 2 } }).admin();
      try {
        await admin.connect();
        const { topics } = await admin.fetchTopicMetadata();
        let n = 0;
        for (const t of topics) for (const p of t.partitions) if (p.isr.length < p.replicas.length || p.leader < 0) n++;
        return n;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    close,
  };
}

/**
 * Starts Kafka on loopback and waits until every node answers: one node
 * (exactly `startKafka`), or a cluster of combined broker+controller nodes
 * that all vote in the KRaft quorum, so a cluster of 3 keeps its quorum and
 * its partitions with any one node down.
 */
export async function startKafkaCluster(options: KafkaClusterOptions): Promise<KafkaCluster> {
  const count = options.brokers ?? 1;
  if (!Number.isSafeInteger(count) || count < 1 || count > 9) throw new RangeError(`brokers must be 1..9, got ${count}`);
  const host = options.host ?? '127.0.0.1';
  if (count === 1) {
    const single = await startKafka({
      runDir: options.runDir,
      host,
      ...(options.ports?.[0] !== undefined ? { port: options.ports[0] } : {}),
      ...(options.controllerPorts?.[0] !== undefined ? { controllerPort: options.controllerPorts[0] } : {}),
      ...(options.detached !== undefined ? { detached: options.detached } : {}),
      ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
      ...(options.heap !== undefined ? { heap: options.heap } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return wrap([single], host, single.version, () => single.close());
  }

  const root = options.logger ?? pino({ level: 'silent' });
  const logger = root.child({ component: 'kafka' });
  const free = options.ports && options.controllerPorts ? [] : await freePorts(2 * count, host);
  const ports = options.ports ?? free.slice(0, count);
  const controllerPorts = options.controllerPorts ?? free.slice(count);
  const members = clusterMembers(count, ports, controllerPorts);
  await assertPortsFree([
    ...ports.map((port) => ({ port, what: 'Kafka', flag: '--kafka-port' })),
    ...controllerPorts.map((port) => ({ port, what: 'Kafka controller', flag: '--controller-port' })),
  ], host);
  const libDir = await ensureJars('kafka', { logger: root });
  const version = versionFromJars(libDir);
  const clusterId = randomClusterId(() => randomBytes(16));
  const nodes = members.map((m) => {
    const dir = join(options.runDir, `kafka-${m.id}`);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dir, 'server.properties'), serverProperties({ host, port: m.port, controllerPort: m.controllerPort, logDir: dataDir, nodeId: m.id, cluster: members }), { mode: 0o600 });
    writeFileSync(join(dir, 'log4j2.properties'), log4j2Properties());
    return new KafkaBroker(host, m.port, m.controllerPort, dir, version, libDir, {
      detached: options.detached ?? false,
      heap: options.heap ?? '512m',
      readyTimeoutMs: options.readyTimeoutMs ?? 240_000,
      // Three JVMs start (and restart, in fault tests) at once on what may be a
      // small machine: the quick compiler alone halves the CPU a start takes.
      jvmExtra: ['-XX:TieredStopAtLevel=1'],
      logger: logger.child({ node: m.id }),
      nodeId: m.id,
      clusterId,
    });
  });
  const close = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    // One at a time: each format is a JVM of its own, and the machine may be small.
    for (const n of nodes) await n.formatIfNeeded();
    for (const n of nodes) n.launch();
    // A node serves only once a quorum of controllers has elected a leader: all must run first.
    await Promise.all(nodes.map((n) => n.ready()));
  } catch (err) {
    await close();
    throw err;
  }
  const cluster = wrap(nodes, host, version, close);
  logger.info({ version, brokers: cluster.bootstrap, pids: nodes.map((n) => n.pid), runDir: options.runDir }, `Kafka ${version} ready (${count} nodes)`);
  return cluster;
}
