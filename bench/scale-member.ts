import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { ZkSession, GroupPaths, Membership, Coordinator, readGroupConfig } from '../coordinator/index.js';
import type { AssignmentRecord, PublishedAssignment } from '../coordinator/index.js';
import { AssignedRanges } from '../poller/assigned-ranges.js';
import { NoopConsumer } from './scale-noop-consumer.js';
import { preciseNow, type OwnershipEvent, type WorkerSettings } from './scale-protocol.js';

/**
 * One simulated poller: the real session, member node, range ownership
 * (leases and fenced commits) and leader candidate, wired as
 * poller/poller-resources.ts wires them, with a no-op source instead of
 * Kafka. Everything it sees happen is reported through `report`.
 */
export class SimMember {
  private zk: ZkSession | null = null;
  private membership: Membership | null = null;
  private assigned: AssignedRanges | null = null;
  private coordinator: Coordinator | null = null;

  constructor(
    readonly id: string,
    private readonly settings: WorkerSettings,
    private readonly report: (e: OwnershipEvent) => void,
    private readonly log: Logger,
  ) {}

  /** ZooKeeper read-reply bytes of this member's session so far. */
  get bytesRead(): number {
    return this.zk?.bytesRead ?? 0;
  }

  async start(): Promise<void> {
    const s = this.settings;
    const paths = new GroupPaths(s.group, s.root);
    const zk = (this.zk = new ZkSession({ connect: s.zk, sessionTimeoutMs: s.sessionTimeoutMs, connectTimeoutMs: 60_000, logger: this.log }));
    await zk.start();
    const config = await readGroupConfig(zk, paths);
    this.membership = new Membership(zk, paths, {
      id: this.id, host: hostname(), pid: process.pid, weight: 1, state: 'active', startedAt: new Date().toISOString(),
    }, this.log);
    await this.membership.register();
    this.assigned = this.followAssignment(zk, paths, config.ranges);
    await this.assigned.start();
    this.coordinator = this.standForLeader(zk, paths);
    await this.coordinator.start();
  }

  private followAssignment(zk: ZkSession, paths: GroupPaths, ranges: number): AssignedRanges {
    const assigned = new AssignedRanges({
      zk, paths, pollerId: this.id, ranges, consumer: new NoopConsumer(this.settings.rate),
      commitIntervalMs: this.settings.commitIntervalMs, logger: this.log,
    });
    const own = assigned.ownership;
    own.on('acquired', (e: { range: number }) => this.report(['a', this.id, e.range, preciseNow()]));
    own.on('released', (e: { range: number }) => this.report(['r', this.id, e.range, preciseNow()]));
    own.on('lost', (e: { range: number }) => this.report(['l', this.id, e.range, preciseNow()]));
    assigned.subscription.on('assignment', (a: Pick<AssignmentRecord, 'epoch'>) => this.report(['s', this.id, a.epoch, preciseNow()]));
    return assigned;
  }

  private standForLeader(zk: ZkSession, paths: GroupPaths): Coordinator {
    const c = new Coordinator({ zk, paths, id: this.id, settleMs: this.settings.settleMs, logger: this.log });
    c.on('published', (p: PublishedAssignment) => this.report(['p', this.id, p.epoch, preciseNow(), p.owners]));
    c.on('leader', (leading: boolean) => this.report(['L', this.id, leading, preciseNow()]));
    return c;
  }

  /** A graceful stop in the poller's order: leadership, ranges (final commits), member node, session. */
  async stop(): Promise<void> {
    await this.coordinator?.close();
    await this.assigned?.close();
    await this.membership?.deregister();
    await this.zk?.close();
  }
}
