// Records the group's history from ZooKeeper while the run goes on: every
// lease (holder, czxid, creation time, when it was seen gone), every committed
// offset value (with mzxid, time and committer), every assignment epoch and
// every leader change. Watches catch changes at once; a poll every 250 ms
// covers watches lost while our own connection moves between servers.
import type { Stat } from 'node-zookeeper-client';
import { pino } from 'pino';
import {
  GroupPaths,
  ZkSession,
  readAssignment,
  parseConfig,
  parseLease,
  parseOffset,
  readLeaderNode,
  statTime,
} from '../../coordinator/index.js';

export interface LeaseObs {
  range: number;
  poller: string;
  epoch: number;
  czxid: bigint;
  /** Server time of the create (ms). */
  ctime: number;
  /** When we first saw it gone (ms), if we did. */
  goneAt?: number;
}

export interface OffsetObs {
  range: number;
  offset: bigint;
  poller: string;
  epoch: number;
  mzxid: bigint;
  mtime: number;
  version: number;
}

export interface EpochObs {
  epoch: number;
  leader: string;
  mtime: number;
  owners: (string | null)[];
}

export interface LeaderObs {
  leader: string | null;
  /** The leader's `leader/n_` node: a restarted coordinator leads again under the same id but a new node (absent in older records). */
  node?: string | null;
  at: number;
}

export interface History {
  leases: LeaseObs[];
  offsets: OffsetObs[];
  epochs: EpochObs[];
  leaders: LeaderObs[];
}

const zxid = (b: Buffer): bigint => b.readBigUInt64BE(0);

export class ZkObserver {
  readonly history: History = { leases: [], offsets: [], epochs: [], leaders: [] };
  private readonly zk: ZkSession;
  private readonly paths: GroupPaths;
  private readonly current = new Map<number, LeaseObs>();
  private readonly leaseByZxid = new Map<string, LeaseObs>();
  private readonly offsetSeen = new Set<string>();
  private readonly lastOffset = new Map<number, bigint>();
  private lastEpoch = -1;
  private lastLeader: string | undefined;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private polling = false;

  /** Grows when the group is resized (read from `config`). */
  private ranges: number;

  constructor(connect: string, group: string, ranges: number) {
    this.ranges = ranges;
    this.zk = new ZkSession({ connect, sessionTimeoutMs: 10_000, logger: pino({ level: 'silent' }) });
    this.paths = new GroupPaths(group);
  }

  async start(): Promise<void> {
    await this.zk.start();
    await this.poll(true);
    this.timer = setInterval(() => void this.poll(false), 250);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.poll(false).catch(() => undefined);
    await this.zk.close().catch(() => undefined);
  }

  /** The lease of `range` at server time `t` (ms), by creation time: the latest created at or before t. */
  leaseAt(range: number, t: number): LeaseObs | undefined {
    let best: LeaseObs | undefined;
    for (const l of this.history.leases) {
      if (l.range === range && l.ctime <= t && (!best || l.czxid > best.czxid)) best = l;
    }
    return best;
  }

  private async poll(watch: boolean): Promise<void> {
    if (this.polling && !watch) return;
    this.polling = true;
    try {
      const jobs: Promise<void>[] = [];
      for (let r = 0; r < this.ranges; r++) {
        jobs.push(this.observeLease(r, watch), this.observeOffset(r, watch));
      }
      jobs.push(this.observeConfig(watch), this.observeAssignment(watch), this.observeLeader(watch));
      await Promise.all(jobs.map((j) => j.catch(() => undefined)));
    } finally {
      this.polling = false;
    }
  }

  private rewatch(fn: () => Promise<void>): () => void {
    return () => {
      if (!this.closed) void fn().catch(() => undefined);
    };
  }

  private async observeLease(range: number, watch: boolean): Promise<void> {
    const path = this.paths.lease(range);
    const stat = await this.zk.exists(path, watch ? this.rewatch(() => this.observeLease(range, true)) : undefined);
    const node = stat ? await this.zk.getDataOrNull(path) : null;
    this.noteLease(range, node);
  }

  private noteLease(range: number, node: { data: Buffer; stat: Stat } | null): void {
    const now = Date.now();
    const prev = this.current.get(range);
    if (!node) {
      if (prev && prev.goneAt === undefined) prev.goneAt = now;
      this.current.delete(range);
      return;
    }
    const cz = zxid(node.stat.czxid);
    if (prev && prev.czxid >= cz) return; // same lease, or a read older than what we know
    if (prev && prev.goneAt === undefined) prev.goneAt = now;
    // Leases created in one multi share a zxid: the key is the range and the zxid.
    const key = `${range}:${cz}`;
    const known = this.leaseByZxid.get(key);
    if (known) {
      this.current.set(range, known);
      return;
    }
    const parsed = parseLease(node.data);
    const obs: LeaseObs = {
      range,
      poller: parsed.ok ? parsed.value.poller : '?',
      epoch: parsed.ok ? parsed.value.epoch : -1,
      czxid: cz,
      ctime: statTime(node.stat.ctime),
    };
    this.leaseByZxid.set(key, obs);
    this.history.leases.push(obs);
    this.current.set(range, obs);
  }

  private async observeOffset(range: number, watch: boolean): Promise<void> {
    const path = this.paths.offset(range);
    const stat = await this.zk.exists(path, watch ? this.rewatch(() => this.observeOffset(range, true)) : undefined);
    if (!stat) return;
    const node = await this.zk.getDataOrNull(path);
    if (!node) return;
    const mz = zxid(node.stat.mzxid);
    const id = `${range}:${mz}`;
    if (this.offsetSeen.has(id)) return;
    this.offsetSeen.add(id);
    const parsed = parseOffset(node.data);
    if (!parsed.ok) return;
    const obs: OffsetObs = {
      range,
      offset: BigInt(parsed.value.offset),
      poller: parsed.value.poller,
      epoch: parsed.value.epoch,
      mzxid: mz,
      mtime: statTime(node.stat.mtime),
      version: node.stat.version,
    };
    this.history.offsets.push(obs);
    this.lastOffset.set(range, obs.offset);
  }

  /** Committed offsets as last seen (range -> offset). */
  committed(): Map<number, bigint> {
    return new Map(this.lastOffset);
  }

  /** A resize: the new ranges' leases and offsets are observed from now on (with watches). */
  private async observeConfig(watch: boolean): Promise<void> {
    const node = await this.zk.getDataOrNull(this.paths.config, watch ? this.rewatch(() => this.observeConfig(true)) : undefined);
    const parsed = node ? parseConfig(node.data) : null;
    if (!parsed?.ok || parsed.value.ranges <= this.ranges) return;
    const from = this.ranges;
    this.ranges = parsed.value.ranges;
    const jobs: Promise<void>[] = [];
    for (let r = from; r < this.ranges; r++) jobs.push(this.observeLease(r, true), this.observeOffset(r, true));
    await Promise.all(jobs.map((j) => j.catch(() => undefined)));
  }

  private async observeAssignment(watch: boolean): Promise<void> {
    const path = this.paths.assignment;
    const stat = await this.zk.exists(path, watch ? this.rewatch(() => this.observeAssignment(true)) : undefined);
    if (!stat) return;
    const read = await readAssignment(this.zk, this.paths, this.ranges);
    const record = read.record;
    if (!record || record.epoch <= this.lastEpoch) return;
    this.lastEpoch = record.epoch;
    this.history.epochs.push({ epoch: record.epoch, leader: record.leader, mtime: read.committedAt ?? statTime(stat.mtime), owners: record.owners });
  }

  private async observeLeader(watch: boolean): Promise<void> {
    if (watch) await this.zk.getChildren(this.paths.leader, this.rewatch(() => this.observeLeader(true))).catch(() => undefined);
    const current = await readLeaderNode(this.zk, this.paths);
    const leader = current?.id ?? null;
    const node = current?.node ?? null;
    const key = `${leader}/${node}`;
    if (key !== this.lastLeader) {
      this.lastLeader = key;
      this.history.leaders.push({ leader, node, at: Date.now() });
    }
  }
}
