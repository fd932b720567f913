import type { Logger } from 'pino';
import {
  ResizeMarkerWatch,
  type ConfigFollower,
  type GroupPaths,
  type MarkerSeen,
  type ProducerRegistration,
  type ZkSession,
} from '../coordinator/index.js';

/**
 * When a ring producer may send (docs/design.md "Growing a group"):
 *
 * - not while a resize marker is up: the gate closes, the sends in flight
 *   finish, and only then does the producer write `pausedFor: <id>` in its
 *   node (what the resize waits for). Once the marker is gone (cut over or
 *   rolled back) it reads the config again, clears `pausedFor`, and opens
 *   with whatever R the config says;
 * - not while ZooKeeper has not answered within the session's fencing
 *   deadline: a producer cut off from ZooKeeper may have been counted as
 *   gone by a resize and must not send with the old R.
 *
 * Records are placed on partitions after `enter()` resolves, so a send held
 * across a cut-over uses the new R.
 */
export class ProducerGate {
  /** The id of the resize we hold sends for (null: open as far as resizes go). */
  private pausedFor: string | null = null;
  private acknowledged: string | null = null;
  private inFlight = 0;
  private closed = false;
  private waiters: (() => void)[] = [];
  private drained: (() => void)[] = [];
  private pauseStarted = 0;
  /** Longest time a send was held by a resize, and how many resizes held us (for tests and logs). */
  readonly pauses: number[] = [];
  private readonly marker: ResizeMarkerWatch;

  constructor(
    private readonly zk: ZkSession,
    paths: GroupPaths,
    private readonly registration: ProducerRegistration,
    private readonly config: ConfigFollower,
    private readonly log: Logger,
    /**
     * Gets ready to send with `ranges` (the ring producer makes a fresh Kafka
     * client): started once paused for a resize to that many ranges, and
     * awaited before sends open with them.
     */
    private readonly prepare: (ranges: number) => Promise<void> = async () => undefined,
  ) {
    this.marker = new ResizeMarkerWatch(zk, paths, log, (m) => this.onMarker(m));
  }

  private prepared: { ranges: number; done: Promise<void> } | null = null;

  /** Whether a resize holds our sends. */
  get paused(): boolean {
    return this.pausedFor !== null;
  }

  /** Reads the marker (with a watch) before the first send. */
  async start(): Promise<void> {
    await this.marker.start();
  }

  close(): void {
    this.closed = true;
    this.marker.close();
    this.openWaiters();
  }

  /** Resolves once a send may start, and counts it in flight until `leave()`. */
  async enter(): Promise<void> {
    for (;;) {
      if (this.closed) throw new Error('ring producer closed');
      if (this.pausedFor === null && this.zk.withinDeadline()) break;
      if (this.pausedFor !== null) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      } else {
        // Cut off from ZooKeeper: ask it again (a reply renews the proof), briefly apart.
        await Promise.race([this.zk.ping().catch(() => false), new Promise((r) => setTimeout(r, 100))]);
      }
    }
    this.inFlight++;
  }

  leave(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const d = this.drained;
      this.drained = [];
      for (const f of d) f();
    }
  }

  private async onMarker(m: MarkerSeen | null): Promise<void> {
    if (m !== null) await this.pause(m.id, m.to);
    else if (this.pausedFor !== null || this.acknowledged !== null) await this.resume();
  }

  private async pause(id: string, to: number | null): Promise<void> {
    if (this.pausedFor === null) this.pauseStarted = Date.now();
    this.pausedFor = id;
    if (this.acknowledged === id) return;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.drained.push(resolve));
    if (this.closed || this.pausedFor !== id) return;
    await this.registration.setPausedFor(id);
    this.acknowledged = id;
    this.log.info({ resize: id }, 'paused for a resize: nothing in flight, new sends held');
    if (to !== null && this.prepared?.ranges !== to) this.prepared = { ranges: to, done: this.prepare(to).catch((err: unknown) => this.log.warn({ err }, 'cannot get ready for the new range count yet')) };
  }

  private async resume(): Promise<void> {
    const config = await this.config.refresh();
    await (this.prepared?.ranges === config.ranges ? this.prepared.done : this.prepare(config.ranges));
    this.prepared = null;
    this.acknowledged = null;
    this.pausedFor = null;
    const ms = Date.now() - this.pauseStarted;
    this.pauses.push(ms);
    this.log.info({ ranges: config.ranges, pausedMs: ms }, 'resize over; sending again');
    this.openWaiters();
    // After the sends opened: the node only reports (nothing waits for it now).
    await this.registration.update(config.ranges).catch((err: unknown) => this.log.warn({ err }, 'cannot update our producer node'));
  }

  private openWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
