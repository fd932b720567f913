import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import { pino, type Logger } from 'pino';
import { assign, diff } from '../ring/index.js';
import { assignableMembers } from './assignable-members.js';
import type { ZkEvent, ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { LeaderLatch } from './leader-latch.js';
import type { Problem } from './member-reader.js';
import { MemberCache } from './member-cache.js';
import { AssignmentPublisher } from './assignment-publisher.js';
import { ensureLayout, readGroupConfig } from './group-config.js';
import { ConfigFollower } from './config-follower.js';
import { MAX_REASON_LENGTH, type GroupConfig, type MemberInfo } from './znodes.js';
import { isZkCode, ZK } from './zk-errors.js';

export interface CoordinatorOptions {
  zk: ZkSession;
  paths: GroupPaths;
  /** Candidate id (the poller id, or the standalone coordinator's id). */
  id: string;
  /** A burst of joins within this window becomes one epoch. */
  settleMs?: number;
  /**
   * The window after a member node is deleted (its session expired, or it
   * stopped) or rewritten (it is draining, or marked itself unhealthy):
   * default the smaller of 50 ms and `settleMs`. Short, because it adds to
   * every failover and every move away from a poller that cannot work; long
   * enough that pollers whose sessions expired in the same ZooKeeper tick
   * still leave in one epoch.
   */
  departureSettleMs?: number;
  logger?: Logger;
}

export interface PublishedAssignment {
  epoch: number;
  owners: (string | null)[];
  reason: string;
}

/**
 * The control plane's leader work. Every candidate runs a LeaderLatch; the
 * leader watches `pollers/` (MemberCache), waits for the settle window,
 * computes `assign()` from the active members (draining members get no
 * ranges) and publishes a new epoch (AssignmentPublisher): the changed
 * pollers' nodes, then the header, every write in a multi that also checks
 * its own leader node, so a deposed leader's write fails and it steps down.
 * See model/ (actions `publish`, `stage`) for the checked version.
 */
export class Coordinator extends EventEmitter {
  private readonly latch: LeaderLatch;
  private readonly log: Logger;
  private readonly settleMs: number;
  private readonly departureSettleMs: number;
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  /** The shortest window asked for by changes seen while a rebalance ran. */
  private pendingDelay = Infinity;
  private running = false;
  private pending = false;
  private ranges = 0;
  private closed = false;
  /** The last valid data of every member, to ride out malformed member nodes. */
  private lastValid = new Map<string, MemberInfo>();
  private readonly members: MemberCache;
  private publisher: AssignmentPublisher | null = null;
  private config: ConfigFollower | null = null;
  private readonly onMembersChanged = (e: ZkEvent) => {
    // A deleted member node fires its data watch first, then the children
    // watch. A rewritten one says the poller is leaving (draining) or cannot
    // work (unhealthy), or back at work: no burst to wait for, act soon. Only
    // joins (children changed) wait the settle window.
    const type = e.getType();
    if (type === zookeeper.Event.NODE_DELETED) this.schedule('member left', this.departureSettleMs);
    else if (type === zookeeper.Event.NODE_DATA_CHANGED) this.schedule('member changed', this.departureSettleMs);
    else this.schedule('members changed');
  };

  constructor(private readonly opts: CoordinatorOptions) {
    super();
    this.settleMs = opts.settleMs ?? 200;
    this.departureSettleMs = opts.departureSettleMs ?? Math.min(50, this.settleMs);
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'coordinator', candidate: opts.id });
    this.members = new MemberCache(opts.zk, opts.paths, this.onMembersChanged);
    this.latch = new LeaderLatch(opts.zk, opts.paths, opts.id, opts.logger);
    this.latch.on('leader', () => {
      this.log.info({}, 'leading: computing the assignment');
      this.members.reset();
      this.publisher?.forget();
      this.emit('leader', true);
      void this.scheduleFirstRebalance();
    });
    this.latch.on('follower', () => {
      this.cancel();
      this.emit('leader', false);
    });
  }

  get isLeader(): boolean {
    return this.latch.hasLeadership;
  }

  async start(): Promise<void> {
    await ensureLayout(this.opts.zk, this.opts.paths);
    await readGroupConfig(this.opts.zk, this.opts.paths); // a missing or malformed group is a clear error
    this.config = new ConfigFollower(this.opts.zk, this.opts.paths, (config) => this.follow(config), this.opts.logger);
    this.ranges = (await this.config.start()).ranges;
    this.publisher = new AssignmentPublisher(this.opts.zk, this.opts.paths, this.ranges, this.log);
    if (this.closed) return;
    await this.latch.start();
  }

  /** Leaves the election (and so gives up leadership). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
    this.config?.close();
    await this.latch.close();
  }

  /**
   * A resize changed the range count (docs/design.md "Growing a group"): the
   * next epoch assigns every range of the new count, the old ones staying
   * where they are as far as the quotas allow. Nothing to wait for: the
   * split's order barriers are the pollers' business.
   */
  private follow(config: GroupConfig): void {
    if (config.ranges === this.ranges || this.closed) return;
    this.log.info({ from: this.ranges, to: config.ranges }, 'the group was resized: assigning the new range count');
    this.ranges = config.ranges;
    this.publisher?.grow(this.ranges);
    this.schedule('group resized', 0);
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * A new leader of a running group publishes at once: its pollers may be
   * waiting for a dead one's ranges. A group starting cold (no range given to
   * anyone yet) waits the settle window first, so pollers started together
   * share one epoch instead of the first one taking every range and handing
   * most of them on (Kafka's group.initial.rebalance.delay.ms, in short).
   */
  private async scheduleFirstRebalance(): Promise<void> {
    let cold = false;
    try {
      const current = await this.publisher!.current();
      cold = current.owners().every((o) => o === null);
    } catch (err) {
      this.log.debug({ err }, 'could not read the assignment on becoming leader; publishing at once');
    }
    this.schedule(cold ? 'became leader of a group starting cold' : 'became leader', cold ? this.settleMs : 0);
  }

  private schedule(why: string, delay = this.settleMs): void {
    if (this.closed || !this.latch.hasLeadership) return;
    if (this.running) {
      this.pending = true;
      this.pendingDelay = Math.min(this.pendingDelay, delay);
      return;
    }
    // Already settling: this change joins that epoch (sooner, if it asks for a shorter window).
    if (this.timer && this.timerDue <= Date.now() + delay) return;
    if (this.timer) clearTimeout(this.timer);
    this.log.debug({ why, delay }, 'rebalance scheduled');
    this.timerDue = Date.now() + delay;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.rebalance();
    }, delay);
  }

  private async rebalance(): Promise<void> {
    if (!this.latch.hasLeadership || this.closed) return;
    this.running = true;
    this.pending = false;
    this.pendingDelay = Infinity;
    try {
      await this.rebalanceOnce();
    } catch (err) {
      this.log.warn({ err }, 'rebalance failed; will retry');
      this.pending = true;
    } finally {
      this.running = false;
    }
    if (this.pending) {
      const delay = Number.isFinite(this.pendingDelay) ? this.pendingDelay : this.settleMs;
      this.pendingDelay = Infinity;
      this.schedule('retry or change during rebalance', delay);
    }
  }

  private async rebalanceOnce(): Promise<void> {
    const leaderNode = this.latch.nodePath;
    const publisher = this.publisher;
    if (!leaderNode || !publisher) return;
    const { members: valid, problems } = await this.members.read();
    const previous = (await publisher.current()).owners();
    const members = this.withMalformed(valid, problems, previous);

    const owners = assign({ ranges: this.ranges, members: assignableMembers(members), previous });
    const reason = describeChange(previous, owners, members);
    let epoch: number | null;
    try {
      epoch = await publisher.publish(leaderNode, owners, { leader: this.opts.id, at: new Date().toISOString(), reason });
    } catch (err) {
      if (isZkCode(err, ZK.NO_NODE) || isZkCode(err, ZK.SESSION_EXPIRED)) {
        // Our leader node is gone (or a node we knew of was, and the next try reads again).
        this.log.warn({}, 'assignment write fenced off: no longer leader?');
        this.pending = true;
        this.latch.verify();
        return;
      }
      if (isZkCode(err, ZK.BAD_VERSION) || isZkCode(err, ZK.NODE_EXISTS)) {
        this.log.warn({}, 'assignment changed under us; recomputing');
        this.pending = true;
        return;
      }
      throw err;
    }
    if (epoch === null) return;
    const moves = diff(previous, owners);
    this.log.info({ epoch, moves: moves.length, reason }, 'assignment published');
    const published: PublishedAssignment = { epoch, owners, reason };
    this.emit('published', published);
  }

  /**
   * A member node whose data is malformed is never acted on: the member is
   * still alive (its node exists), so it keeps the data last seen valid, or,
   * for a leader that never saw it valid, stays an active member of weight 1
   * if it owns ranges now. Dropping it would move its ranges because of garbage.
   */
  private withMalformed(valid: MemberInfo[], problems: Problem[], owners: readonly (string | null)[] | undefined): MemberInfo[] {
    const known = new Map(valid.map((m) => [m.id, m]));
    const members = [...valid];
    for (const p of problems) {
      const id = p.path.slice(p.path.lastIndexOf('/') + 1);
      const last = this.lastValid.get(id);
      const fallback = owners?.includes(id) ? { id, host: '', pid: 0, weight: 1, state: 'active' as const, startedAt: '' } : undefined;
      const keep = last ?? fallback;
      this.log.warn({ ...p, keeping: keep ? { weight: keep.weight, state: keep.state } : null }, 'malformed member node: not acting on it');
      if (keep) {
        members.push(keep);
        known.set(id, keep);
      }
    }
    this.lastValid = known;
    return members;
  }
}

function describeChange(previous: readonly (string | null)[], owners: readonly (string | null)[], members: MemberInfo[]): string {
  if (previous.every((o) => o === null)) return 'initial assignment';
  const before = new Set(previous.filter((x): x is string => x !== null));
  const after = new Set(owners.filter((x): x is string => x !== null));
  const parts: string[] = [];
  const joined = [...after].filter((m) => !before.has(m));
  const left = [...before].filter((m) => !after.has(m));
  const draining = members.filter((m) => m.state === 'draining' && before.has(m.id)).map((m) => m.id);
  const unhealthy = members.filter((m) => m.unhealthy !== undefined && !after.has(m.id) && before.has(m.id)).map((m) => m.id);
  if (joined.length) parts.push(`joined: ${joined.join(',')}`);
  const gone = left.filter((m) => !draining.includes(m) && !unhealthy.includes(m));
  if (gone.length) parts.push(`left: ${gone.join(',')}`);
  if (draining.length) parts.push(`draining: ${draining.join(',')}`);
  if (unhealthy.length) parts.push(`unhealthy: ${unhealthy.join(',')}`);
  const reason = parts.length ? parts.join('; ') : 'rebalance';
  // Thousands of joins must not bloat the assignment znode (see MAX_GROUP_RANGES).
  return reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 3)}...` : reason;
}
