import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { ensureJars } from './jars.js';
import { JvmProcess, type Exit } from './jvm-process.js';
import { fourLetterWord, parseSrvr } from './four-letter-word.js';
import { assertPortsFree, freePorts } from './ports.js';
import { waitForZooKeeper } from './readiness.js';
import { zooCfg, type QuorumMember } from './zookeeper-config.js';

export interface ZooKeeperOptions {
  /** Folder for every node's config, data and log (created). */
  runDir: string;
  /** 1 = standalone (default), 3 = ensemble. */
  nodes?: 1 | 3;
  /** Client ports, one per node; free ones are chosen when absent. */
  clientPorts?: number[];
  host?: string;
  detached?: boolean;
  readyTimeoutMs?: number;
  heap?: string;
  logger?: Logger;
}

/** One ZooKeeper server with node control for fault tests. */
export class ZooKeeperNode {
  private proc: JvmProcess | undefined;

  constructor(
    readonly id: number,
    readonly host: string,
    readonly clientPort: number,
    readonly dir: string,
    private readonly libDir: string,
    private readonly options: { detached: boolean; heap: string; readyTimeoutMs: number; logger: Logger },
    readonly quorum?: { quorumPort: number; electionPort: number },
  ) {}

  get connectString(): string {
    return `${this.host}:${this.clientPort}`;
  }
  get logFile(): string {
    return join(this.dir, 'server.log');
  }
  get configFile(): string {
    return join(this.dir, 'zoo.cfg');
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

  /** Starts the JVM (config and data must exist); does not wait for readiness. */
  launch(): void {
    if (this.running) throw new Error(`zookeeper-${this.id} is already running`);
    this.proc = JvmProcess.start({
      name: `zookeeper-${this.id}`,
      libDir: this.libDir,
      mainClass: 'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      args: [this.configFile],
      jvmOptions: [
        `-Xmx${this.options.heap}`,
        '-Xms32m',
        '-XX:+UseSerialGC',
        '-XX:-UsePerfData',
        '-Djava.awt.headless=true',
        '-Dzookeeper.jmx.log4j.disable=true',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS',
      ],
      logFile: this.logFile,
      detached: this.options.detached,
      logger: this.options.logger,
    });
  }

  /** Waits until this node alone grants a session (in an ensemble: it has joined the quorum). */
  async ready(timeoutMs = this.options.readyTimeoutMs): Promise<void> {
    const exited = this.proc?.exited;
    await waitForZooKeeper(this.connectString, { timeoutMs, logFile: this.logFile, ...(exited ? { exited } : {}) });
  }

  /** "leader", "follower" or "standalone", from the `srvr` command. */
  async mode(): Promise<string | undefined> {
    return parseSrvr(await fourLetterWord(this.host, this.clientPort, 'srvr'))?.mode;
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
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
  /** Stops (SIGTERM) if running, starts again on the same ports and data, waits until it serves. */
  async restart(): Promise<void> {
    await this.stop();
    this.launch();
    await this.ready();
  }
}

export interface ZooKeeperCluster {
  /** host:port[,host:port...] of every node. */
  readonly connectString: string;
  readonly nodes: ZooKeeperNode[];
  /** As reported by the server (`srvr`). */
  readonly version: string;
  /** By 1-based server id. */
  node(id: number): ZooKeeperNode;
  /** The current leader of an ensemble (the single node when standalone). */
  leader(): Promise<ZooKeeperNode>;
  /** Stops every node it started (SIGTERM, then SIGKILL). Idempotent. */
  close(): Promise<void>;
}

/** Starts a standalone ZooKeeper or a 3-node ensemble on loopback and waits until every node serves. */
export async function startZooKeeper(options: ZooKeeperOptions): Promise<ZooKeeperCluster> {
  const root = options.logger ?? pino({ level: 'silent' });
  const logger = root.child({ component: 'zookeeper' });
  const host = options.host ?? '127.0.0.1';
  const count = options.nodes ?? 1;
  const clientPorts = options.clientPorts ?? (await freePorts(count, host));
  if (clientPorts.length !== count) throw new Error(`need ${count} client ports, got ${clientPorts.length}`);
  await assertPortsFree(clientPorts.map((port) => ({ port, what: 'ZooKeeper client', flag: '--zk-port' })), host);
  const libDir = await ensureJars('zookeeper', { logger: root });

  const quorumPorts = count > 1 ? await freePorts(2 * count, host) : [];
  const members: QuorumMember[] = [];
  for (let i = 0; i < count && count > 1; i++) {
    members.push({ id: i + 1, host, quorumPort: quorumPorts[2 * i] as number, electionPort: quorumPorts[2 * i + 1] as number });
  }
  const nodeOptions = {
    detached: options.detached ?? false,
    heap: options.heap ?? '128m',
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    logger,
  };
  const nodes = clientPorts.map((clientPort, i) => {
    const id = i + 1;
    const dir = join(options.runDir, `zookeeper-${id}`);
    const member = members[i];
    const node = new ZooKeeperNode(id, host, clientPort, dir, libDir, nodeOptions,
      member ? { quorumPort: member.quorumPort, electionPort: member.electionPort } : undefined);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(node.configFile, zooCfg({ dataDir, host, clientPort, ensemble: members }));
    if (count > 1) writeFileSync(join(dataDir, 'myid'), `${id}\n`);
    return node;
  });

  const close = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (const n of nodes) n.launch();
    await Promise.all(nodes.map((n) => n.ready()));
  } catch (err) {
    await close();
    throw err;
  }
  const first = nodes[0] as ZooKeeperNode;
  const version = parseSrvr(await fourLetterWord(host, first.clientPort, 'srvr'))?.version ?? 'unknown';
  const connectString = nodes.map((n) => n.connectString).join(',');
  logger.info({ version, connectString, nodes: count, pids: nodes.map((n) => n.pid), runDir: options.runDir }, `ZooKeeper ${version} ready`);

  return {
    connectString,
    nodes,
    version,
    node(id: number) {
      const n = nodes[id - 1];
      if (!n) throw new Error(`no ZooKeeper node ${id} (have 1..${nodes.length})`);
      return n;
    },
    async leader() {
      for (const n of nodes) {
        if (!n.running) continue;
        const mode = await n.mode().catch(() => undefined);
        if (mode === 'leader' || mode === 'standalone') return n;
      }
      throw new Error('no ZooKeeper node reports itself leader');
    },
    close,
  };
}
