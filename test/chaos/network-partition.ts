// The chaos run's network partitions of one poller: cut off from ZooKeeper
// (zk-partition) or from Kafka (kafka-partition) while everything else still
// reaches it.
//
// Each poller runs in a network namespace of its own (`unshare --net`; the
// run is root), where netns-shim.ts, loaded into the poller's process, listens
// on the real servers' loopback addresses and carries every connection over
// this switch's Unix socket. The switch connects it to the real server and
// moves the bytes, or, while that poller's side is cut, moves none: both
// directions stop, sockets stay open, nothing is reset (a silent network).
// New connections made during a cut get no further than the switch. On
// restore the bytes held meanwhile flow (TCP would deliver them too) and a
// close seen meanwhile is passed on.
//
// The poller keeps its usual addresses, including the brokers' advertised
// ones, which a bootstrap proxy could not catch. Only loopback and the run's
// own namespaces are used.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoRoot } from '../../infra/paths.js';
import { parseLinkHeader, SHIM_ENV } from './netns-protocol.js';
import { sleep } from '../support/wait-for.js';

export type NetSide = 'zk' | 'kafka';

/** The shim the pollers load (built). */
const SHIM_JS = join(repoRoot(), 'dist', 'test', 'chaos', 'netns-shim.js');

/** Unix socket paths are limited to 107 bytes on Linux. */
const MAX_SOCKET_PATH = 107;

interface Link {
  key: string;
  side: NetSide;
  port: number;
  /** From the poller's shim. */
  down: Socket;
  /** To the real server; null until first connected (never while cut). */
  up: Socket | null;
  /** Poller bytes read while the link was cut or not yet connected upstream. */
  held: Buffer[];
  /** A side closed while the link was cut: the other is closed on restore. */
  closedWhileCut: boolean;
}

/** How to start a poller behind the switch: a command prefix, node flags and environment. */
export interface NamespacedLaunch {
  wrap: string[];
  nodeArgs: string[];
  env: NodeJS.ProcessEnv;
}

function portsOf(addresses: string[]): number[] {
  return addresses.map((a) => Number((a.split('/')[0] as string).split(':').pop()));
}

export class NetworkPartitions {
  private server: Server | null = null;
  private readonly links = new Set<Link>();
  /** Per poller incarnation and side: how many cuts are in force (cuts may overlap). */
  private readonly cuts = new Map<string, number>();
  private readonly sideOfPort = new Map<number, NetSide>();

  /** `zk`: every ZooKeeper server's address; `brokers`: every address the Kafka cluster advertises. */
  constructor(
    readonly socketPath: string,
    zk: string[],
    brokers: string[],
  ) {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) throw new Error(`network partitions: socket path longer than ${MAX_SOCKET_PATH} bytes: ${socketPath}`);
    for (const p of portsOf(zk)) this.sideOfPort.set(p, 'zk');
    for (const p of portsOf(brokers)) this.sideOfPort.set(p, 'kafka');
  }

  async start(): Promise<void> {
    if (!existsSync(SHIM_JS)) throw new Error(`network partitions: ${SHIM_JS} not built (npm run build)`);
    try {
      execFileSync('unshare', ['--net', '--', 'true'], { stdio: 'ignore' });
    } catch {
      throw new Error('network partitions: `unshare --net` failed: the chaos run needs root (or CAP_SYS_ADMIN) and util-linux to give each poller a network namespace');
    }
    rmSync(this.socketPath, { force: true });
    const server = createServer((down) => this.accept(down));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, resolve);
    });
  }

  /** `node <nodeArgs> cli.js poller ...` under `wrap`, with `env` added: the poller `key` ("p3#1") behind this switch. */
  launch(key: string): NamespacedLaunch {
    return {
      // Without --fork, unshare execs node in its own process: the pid we signal is the poller's.
      wrap: ['unshare', '--net', '--'],
      nodeArgs: ['--import', pathToFileURL(SHIM_JS).href],
      env: { [SHIM_ENV.socket]: this.socketPath, [SHIM_ENV.key]: key, [SHIM_ENV.ports]: [...this.sideOfPort.keys()].join(',') },
    };
  }

  isCut(key: string, side: NetSide): boolean {
    return (this.cuts.get(`${key} ${side}`) ?? 0) > 0;
  }

  /** Silences every connection, open or new, between poller `key` and that side's servers. */
  cut(key: string, side: NetSide): void {
    const k = `${key} ${side}`;
    this.cuts.set(k, (this.cuts.get(k) ?? 0) + 1);
    for (const l of this.links) if (l.key === key && l.side === side) this.gate(l);
  }

  /** Ends one cut; the traffic flows again when no other cut of that side is in force. */
  restore(key: string, side: NetSide): void {
    const k = `${key} ${side}`;
    const n = (this.cuts.get(k) ?? 0) - 1;
    if (n > 0) return void this.cuts.set(k, n);
    this.cuts.delete(k);
    for (const l of [...this.links]) if (l.key === key && l.side === side) this.gate(l);
  }

  /** The poller incarnation has ended: its links go, its cuts are forgotten. */
  forget(key: string): void {
    for (const side of ['zk', 'kafka'] as const) this.cuts.delete(`${key} ${side}`);
    for (const l of [...this.links]) if (l.key === key) this.drop(l);
  }

  /** Open links (for tests). */
  linkCount(key?: string): number {
    return [...this.links].filter((l) => key === undefined || l.key === key).length;
  }

  async close(): Promise<void> {
    for (const l of [...this.links]) this.drop(l);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
    rmSync(this.socketPath, { force: true });
  }

  private accept(down: Socket): void {
    let head = Buffer.alloc(0);
    const onHeader = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      down.off('data', onHeader);
      const h = parseLinkHeader(head.subarray(0, nl).toString('utf8'));
      const side = h ? this.sideOfPort.get(h.port) : undefined;
      if (!h || !side) return void down.destroy();
      const link: Link = { key: h.key, side, port: h.port, down, up: null, held: [], closedWhileCut: false };
      const rest = head.subarray(nl + 1);
      if (rest.length) link.held.push(rest);
      this.links.add(link);
      down.on('data', (d: Buffer) => this.fromPoller(link, d));
      down.on('close', () => this.closed(link));
      down.on('error', () => undefined);
      this.gate(link);
    };
    down.on('data', onHeader);
    down.on('error', () => down.destroy());
  }

  /** Brings a link in line with its side's cut state. */
  private gate(l: Link): void {
    if (!this.links.has(l)) return;
    if (this.isCut(l.key, l.side)) {
      l.down.pause();
      l.up?.pause();
      return;
    }
    if (l.closedWhileCut) return this.drop(l);
    if (!l.up) {
      // No Nagle: see netns-shim.ts (each relayed write would wait for a delayed ACK).
      const up = connect({ port: l.port, host: '127.0.0.1', noDelay: true });
      l.up = up;
      up.on('data', (d: Buffer) => l.down.write(d));
      up.on('close', () => this.closed(l));
      up.on('error', () => undefined);
    }
    for (const d of l.held.splice(0)) l.up.write(d);
    l.down.resume();
    l.up.resume();
  }

  private fromPoller(l: Link, d: Buffer): void {
    // Reads pause while cut; a chunk already on its way is held, not sent.
    if (l.up && !this.isCut(l.key, l.side)) l.up.write(d);
    else l.held.push(d);
  }

  /** One side closed: the other follows, unless the link is cut (a silent network carries no FIN either). */
  private closed(l: Link): void {
    if (!this.links.has(l)) return;
    if (this.isCut(l.key, l.side)) l.closedWhileCut = true;
    else this.drop(l);
  }

  private drop(l: Link): void {
    this.links.delete(l);
    l.down.destroy();
    l.up?.destroy();
  }
}

/** Cuts `key`'s `side` for `holdMs`, then restores it (unless the incarnation ended meanwhile: `forget` did). */
export async function holdPartition(net: NetworkPartitions, key: string, side: NetSide, holdMs: number): Promise<void> {
  net.cut(key, side);
  try {
    await sleep(holdMs);
  } finally {
    net.restore(key, side);
  }
}
