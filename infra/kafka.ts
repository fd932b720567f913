import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { InfraError } from './errors.js';
import { ensureJars } from './jars.js';
import { JvmProcess, type Exit } from './jvm-process.js';
import { assertPortsFree, freePorts } from './ports.js';
import { waitForKafka } from './readiness.js';
import { log4j2Properties, randomClusterId, scramFormatArgs, serverProperties, type KafkaSaslConfig, type KafkaTlsConfig } from './kafka-config.js';

export interface KafkaOptions {
  /** Folder for config, data and log (created). */
  runDir: string;
  port?: number;
  controllerPort?: number;
  host?: string;
  detached?: boolean;
  readyTimeoutMs?: number;
  heap?: string;
  logger?: Logger;
  /** A SASL_PLAINTEXT listener (PLAIN and SCRAM-SHA-512) with these users instead of PLAINTEXT; the first is the broker's own. */
  sasl?: KafkaSaslConfig;
  /** TLS on the client listener (SSL, or SASL_SSL with `sasl`). */
  tls?: KafkaTlsConfig;
  /** More server.properties (e.g. a lower group.consumer.min.session.timeout.ms). */
  properties?: Record<string, string>;
}

export interface KafkaBrokerSettings {
  detached: boolean;
  heap: string;
  readyTimeoutMs: number;
  logger: Logger;
  sasl?: KafkaSaslConfig;
  tls?: KafkaTlsConfig;
  /** Node id in its cluster (1 for a single node). */
  nodeId?: number;
  /** The cluster's id, the same for every node; a random one for a single node. */
  clusterId?: string;
  /** More JVM options. */
  jvmExtra?: string[];
}

/** A KRaft Kafka node (broker and controller in one JVM), alone or one of a cluster, with node control for fault tests. */
export class KafkaBroker {
  private proc: JvmProcess | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly controllerPort: number,
    readonly dir: string,
    readonly version: string,
    private readonly libDir: string,
    private readonly options: KafkaBrokerSettings,
  ) {}

  get nodeId(): number {
    return this.options.nodeId ?? 1;
  }
  /** "kafka" alone, "kafka-2" in a cluster. */
  get name(): string {
    return this.options.nodeId === undefined ? 'kafka' : `kafka-${this.options.nodeId}`;
  }

  /** The users of a SASL broker (undefined for a PLAINTEXT one). */
  get sasl(): KafkaSaslConfig | undefined {
    return this.options.sasl;
  }

  /** For kafkajs `brokers`: ["127.0.0.1:9092"]. */
  get brokers(): string[] {
    return [`${this.host}:${this.port}`];
  }
  get bootstrap(): string {
    return this.brokers.join(',');
  }
  get logFile(): string {
    return join(this.dir, 'server.log');
  }
  get configFile(): string {
    return join(this.dir, 'server.properties');
  }
  get pid(): number | undefined {
    return this.proc?.running ? this.proc.pid : undefined;
  }
  get running(): boolean {
    return this.proc?.running ?? false;
  }
  get exited(): Promise<Exit> | undefined {
    return this.proc?.exited;
  }

  private jvmOptions(): string[] {
    return [
      `-Xmx${this.options.heap}`,
      '-Xms128m',
      '-XX:+UseSerialGC',
      '-XX:-UsePerfData',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${this.dir}`,
      ...(this.options.jvmExtra ?? []),
    ];
  }

  launch(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.proc = JvmProcess.start({
      name: this.name,
      libDir: this.libDir,
      mainClass: 'kafka.Kafka',
      args: [this.configFile],
      jvmOptions: this.jvmOptions(),
      logFile: this.logFile,
      detached: this.options.detached,
      logger: this.options.logger,
    });
  }

  /** Formats the KRaft storage once; a restart keeps the data. */
  async formatIfNeeded(): Promise<void> {
    const dataDir = join(this.dir, 'data');
    if (existsSync(join(dataDir, 'meta.properties'))) return;
    const tool = JvmProcess.start({
      name: 'kafka-storage-format',
      libDir: this.libDir,
      mainClass: 'kafka.tools.StorageTool',
      args: ['format', '--cluster-id', this.options.clusterId ?? randomClusterId(() => randomBytes(16)), '--config', this.configFile, '--ignore-formatted', ...scramFormatArgs(this.options.sasl)],
      jvmOptions: ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData',
        `-Dlog4j2.configurationFile=${join(this.dir, 'log4j2.properties')}`],
      logFile: join(this.dir, 'format.log'),
      detached: false,
      logger: this.options.logger,
    });
    const exit = await tool.exited;
    if (exit.code !== 0) {
      const log = join(this.dir, 'format.log');
      const last = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').pop()?.trim() : undefined;
      throw new InfraError(`formatting Kafka storage failed (code ${exit.code})${last ? `: ${last}` : ''}; see ${log}`);
    }
  }

  async ready(timeoutMs = this.options.readyTimeoutMs): Promise<void> {
    const exited = this.proc?.exited;
    const admin = this.options.sasl?.users[0];
    const tls = this.options.tls;
    await waitForKafka(this.brokers, {
      timeoutMs,
      logFile: this.logFile,
      ...(exited ? { exited } : {}),
      ...(admin ? { sasl: admin } : {}),
      ...(tls ? { ssl: { ca: readFileSync(tls.caFile, 'utf8') } } : {}),
    });
  }

  async stop(): Promise<void> {
    await this.proc?.stop(30_000);
  }
  async kill(): Promise<void> {
    await this.proc?.kill();
  }
  pause(): void {
    this.proc?.pause();
  }
  resume(): void {
    this.proc?.resume();
  }
  async restart(): Promise<void> {
    await this.stop();
    this.launch();
    await this.ready();
  }
  /** Stops the broker it started. Idempotent. */
  async close(): Promise<void> {
    await this.stop();
  }
}

export function versionFromJars(libDir: string): string {
  const jar = readdirSync(libDir).find((f) => /^kafka_2\.13-.+\.jar$/.test(f));
  return jar?.replace(/^kafka_2\.13-/, '').replace(/\.jar$/, '') ?? 'unknown';
}

/** Starts a single-node KRaft Kafka on loopback, formatting storage on first use, and waits until it answers. */
export async function startKafka(options: KafkaOptions): Promise<KafkaBroker> {
  const root = options.logger ?? pino({ level: 'silent' });
  const logger = root.child({ component: 'kafka' });
  const host = options.host ?? '127.0.0.1';
  const [freeA, freeB] = options.port !== undefined && options.controllerPort !== undefined ? [] : await freePorts(2, host);
  const port = options.port ?? (freeA as number);
  const controllerPort = options.controllerPort ?? (freeB as number);
  await assertPortsFree([
    { port, what: 'Kafka', flag: '--kafka-port' },
    { port: controllerPort, what: 'Kafka controller', flag: '--controller-port' },
  ], host);
  const libDir = await ensureJars('kafka', { logger: root });
  const dir = join(options.runDir, 'kafka');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dir, 'server.properties'), serverProperties({ host, port, controllerPort, logDir: dataDir, ...(options.sasl ? { sasl: options.sasl } : {}), ...(options.tls ? { tls: options.tls } : {}), ...(options.properties ? { extra: options.properties } : {}) }), { mode: 0o600 });
  writeFileSync(join(dir, 'log4j2.properties'), log4j2Properties());

  const broker = new KafkaBroker(host, port, controllerPort, dir, versionFromJars(libDir), libDir, {
    detached: options.detached ?? false,
    heap: options.heap ?? '512m',
    readyTimeoutMs: options.readyTimeoutMs ?? 90_000,
    logger,
    ...(options.sasl ? { sasl: options.sasl } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  try {
    await broker.formatIfNeeded();
    broker.launch();
    await broker.ready();
  } catch (err) {
    await broker.stop();
    throw err;
  }
  logger.info({ version: broker.version, brokers: broker.bootstrap, pid: broker.pid, runDir: options.runDir }, `Kafka ${broker.version} ready`);
  return broker;
}
