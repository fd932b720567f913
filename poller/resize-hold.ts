import type { Logger } from 'pino';
import {
  ConfigFollower,
  ResizeMarkerWatch,
  type GroupConfig,
  type GroupPaths,
  type MarkerSeen,
  type Membership,
  type Offset,
  type SessionState,
  type ZkSession,
} from '../coordinator/index.js';
import type { FencingGate } from './fencing-gate.js';

/** What the gate is held for when not for a resize's marker: a new session not yet past a re-read, or a range count not yet followed. */
const NEW_SESSION = 'new-session';
const RESIZED = 'resized';
/**
 * How long after a resize our member node goes on saying `pausedFor`. The
 * write that clears it would go out with the reads and lease creates that
 * start the new ranges, in the same session, whose requests ZooKeeper serves
 * in order (the reads behind a write wait for its commit); and it would
 * change a member node the leader then reads before its next epoch.
 */
export const PAUSED_REPORT_CLEARED_AFTER_MS = 1_000;

export interface ResizeHoldOptions {
  zk: ZkSession;
  paths: GroupPaths;
  gate: FencingGate;
  membership: Membership;
  /** The range count this poller runs with. */
  ranges: number;
  /** The group now has another range count: the poller must grow to it or start again with it (called once until grew()). */
  onResized: (config: GroupConfig) => void;
  /** Holding for a resize's marker (its partitions are already added): a chance to learn them during the cut-over. */
  onHold?: () => void;
  /**
   * Nothing at or past partition p's line `lines[p]` starts (null: the lines
   * go). Without it, every message is held until the resize is over.
   */
  setLines?: (lines: readonly Offset[] | null) => void;
  log: Logger;
}

/**
 * A poller's part in a resize (docs/design.md "Growing a group"). When the
 * `resize` marker appears, no message starts (the fencing gate is held;
 * those in flight finish: they are below the split points), and the member
 * node says `pausedFor: <id>`, which the cut-over waits for. Once every
 * producer paused, the cut-over adds the old partitions' ends to the
 * marker, which are the split points it commits: they become hold lines, and
 * the gate opens for the messages below them, which belong to the old range
 * count whatever happens. When the marker goes, the config tells what happened:
 * the same range count (rolled back) opens the gate again; a new one asks
 * the poller to grow to it (or start again with it), and the gate stays
 * held until the poller says it grew (grew()).
 *
 * The range count is also followed without a marker, and the gate is held
 * across every new ZooKeeper session until marker and config were read
 * again: a poller cut off from ZooKeeper during a cut-over was not waited
 * for, and must not start a message with the old range count afterwards.
 */
export class ResizeHold {
  /** The resize (or 'new-session') the gate is held for. */
  private heldFor: string | null = null;
  /** The range count the held resize's cut-over read (null: not a marker, or a malformed one). */
  private heldFrom: number | null = null;
  /** The resize our member node says we paused for (written only once the gate is held). */
  private acked: string | null = null;
  private resized = false;
  private closed = false;
  private ranges: number;
  private readonly marker: ResizeMarkerWatch;
  private readonly config: ConfigFollower;
  private readonly log: Logger;
  /** A new session began since the gate was last opened by reading marker and config: our member node may not have been waited for. */
  private renewed = false;
  /** We grew to a new count and hold until marker and config are read again. */
  private grown = false;
  /** Hold lines are set: messages below them go on while the cut-over runs. */
  private lined = false;
  private clearReport: NodeJS.Timeout | null = null;
  private readonly onState = (s: SessionState) => {
    if (s.type === 'session' && !s.first) this.renewed = true;
    if (s.type === 'session' && !s.first && !this.closed && !this.resized) {
      this.opts.gate.hold();
      this.heldFor ??= NEW_SESSION;
    }
  };

  constructor(private readonly opts: ResizeHoldOptions) {
    this.log = opts.log.child({ component: 'resize-hold' });
    this.ranges = opts.ranges;
    this.marker = new ResizeMarkerWatch(opts.zk, opts.paths, this.log, (m) => this.onMarker(m));
    this.config = new ConfigFollower(opts.zk, opts.paths, (config) => this.check(config), opts.log);
  }

  /** Reads config and marker (awaited): a poller that registers during a resize holds from the start. */
  async start(): Promise<void> {
    // Before the marker watch's own listener: the hold comes first, the reads after it.
    this.opts.zk.on('state', this.onState);
    this.check(await this.config.start());
    await this.marker.start();
  }

  close(): void {
    this.closed = true;
    if (this.clearReport) clearTimeout(this.clearReport);
    this.opts.zk.off('state', this.onState);
    this.marker.close();
    this.config.close();
  }

  /**
   * The poller grew in place to `ranges`: the count is followed from here,
   * and the marker read again, which opens the gate (or holds it for a
   * resize that began meanwhile).
   */
  grew(ranges: number): void {
    this.ranges = ranges;
    this.resized = false;
    // Open now if what held us cannot commit another count: no marker was
    // seen, or the one seen was written over an older count (its cut-over
    // wrote the count we grew to, or fails the config's version check). A
    // resize over this count holds again on the read below, before we say
    // we paused, which is all its cut-over relies on; unless a new session
    // began meanwhile: such a cut-over may not wait for us, so marker and
    // config are read first.
    if (!this.renewed && (this.heldFor === RESIZED || (this.heldFrom !== null && this.heldFrom !== ranges))) {
      this.heldFor = null;
      this.heldFrom = null;
      this.opts.gate.release();
      this.log.info({ ranges }, 'going on with the new range count');
    } else if (this.heldFor !== null) {
      this.grown = true;
    }
    this.marker.check();
  }

  /** Whether a resize holds our messages now. */
  get holding(): boolean {
    return this.heldFor !== null;
  }

  private check(config: GroupConfig): void {
    if (this.resized || this.closed || config.ranges === this.ranges) return;
    this.resized = true;
    this.opts.gate.hold();
    this.dropLines();
    this.heldFor ??= RESIZED;
    this.log.info({ from: this.ranges, to: config.ranges }, 'the group was resized: following the new range count');
    this.opts.onResized(config);
  }

  private async onMarker(m: MarkerSeen | null): Promise<void> {
    if (this.closed || this.resized) return;
    if (m !== null) {
      const fresh = this.heldFor !== m.id;
      if (fresh) {
        this.opts.gate.hold();
        this.dropLines();
        this.heldFor = m.id;
        this.heldFrom = m.from;
        this.log.info({ resize: m.id, to: m.to }, 'holding for a resize: no message starts until the producers paused');
      }
      // Only for a cut-over over our own count: one over another (we missed a resize) splits ranges we do not know.
      if (m.ends !== null && !this.lined && m.from === this.ranges) this.lineUp(m.id, m.ends);
      // A failed write throws: the marker watch reads again shortly, and this writes again.
      if (this.acked !== m.id) {
        const said = this.opts.membership.setPausedFor(m.id);
        if (fresh) this.opts.onHold?.(); // after our answer is on its way: the cut-over waits for that, not for this
        await said;
        this.acked = m.id;
      }
      return;
    }
    const config = await this.config.refresh();
    this.check(config);
    if (this.resized) return;
    const was = this.heldFor;
    this.renewed = false;
    if (was !== null) {
      this.heldFor = null;
      this.heldFrom = null;
      this.dropLines();
      this.opts.gate.release();
      if (this.grown) this.log.info({ ranges: config.ranges }, 'going on with the new range count');
      else if (was !== NEW_SESSION) this.log.info({ resize: was, ranges: config.ranges }, 'the resize was rolled back: going on with the same range count');
      this.grown = false;
    }
    // Only a report now (nothing waits for it): cleared a little later.
    if (this.acked !== null) this.clearPausedForLater();
  }

  /**
   * Clears our `pausedFor` once the resize's new ranges had time to start.
   * Not while held again (a new marker, or a new session): the hold's end
   * comes back here.
   */
  private clearPausedForLater(): void {
    if (this.clearReport) return;
    this.clearReport = setTimeout(() => {
      this.clearReport = null;
      const id = this.acked;
      if (this.closed || id === null || this.heldFor !== null) return;
      this.opts.membership.setPausedFor(null).then(
        () => {
          if (this.acked === id) this.acked = null;
        },
        (err: unknown) => {
          this.log.debug({ err }, 'cannot clear pausedFor in our member node yet; trying again');
          this.clearPausedForLater();
        },
      );
    }, PAUSED_REPORT_CLEARED_AFTER_MS);
    this.clearReport.unref();
  }

  /**
   * Lets the messages below the split points go while the cut-over runs:
   * they belong to the old range count whether it commits or rolls back.
   */
  private lineUp(id: string, ends: readonly Offset[]): void {
    if (!this.opts.setLines) return;
    this.opts.setLines(ends);
    this.lined = true;
    this.opts.gate.release();
    this.log.info({ resize: id }, 'producers paused: going on below the split points until the resize is over');
  }

  private dropLines(): void {
    if (!this.lined) return;
    this.lined = false;
    this.opts.setLines?.(null);
  }
}
