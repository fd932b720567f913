import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode } from './znodes.js';
import { isZkCode, ZK } from './zk-errors.js';
import { retry, RetryAbortedError, RECREATE_EPHEMERAL_BACKOFF } from './retry.js';
import { CoalescingRunner } from './coalescing-runner.js';

type LatchState = 'latent' | 'started' | 'closed';

/** Sequence number of a `leader/n_0000000012` child. */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

/**
 * Leader election as Curator's LeaderLatch: each candidate creates an
 * ephemeral sequential `leader/n_`; the lowest wins; every other candidate
 * watches only its predecessor (no herd effect). Before claiming leadership
 * the winner checks that the node's ephemeralOwner is its own session.
 *
 * Connection states are handled in one place: on disconnect it stops acting
 * (leadership false: ownership cannot be proven), on reconnect of the same
 * session it re-checks, on a new session it re-creates its node.
 * Emits `leader` (true) and `follower` (false) on every edge.
 */
export class LeaderLatch extends EventEmitter {
  private state: LatchState = 'latent';
  private ourPath: string | null = null;
  private leader = false;
  /** One reset at a time: a second request while one runs makes it run once more. */
  private readonly resets = new CoalescingRunner(() => (this.state === 'started' ? this.resetOnce() : undefined));
  /** One leadership check at a time, likewise. */
  private readonly checks = new CoalescingRunner(() => this.checkOrRetryLater());
  private readonly log: Logger;
  private readonly onSession = (s: SessionState) => this.handleSession(s);

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    readonly id: string,
    logger?: Logger,
  ) {
    super();
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'leader-latch', candidate: id });
  }

  get hasLeadership(): boolean {
    return this.leader;
  }

  /** Our own `leader/n_` node: the assignment write checks it exists (fencing). */
  get nodePath(): string | null {
    return this.ourPath;
  }

  async start(): Promise<void> {
    // Closed before it started (a stop signal during start-up): stay closed.
    if (this.state === 'closed') return;
    if (this.state !== 'latent') throw new Error('LeaderLatch can only be started once');
    this.state = 'started';
    this.zk.on('state', this.onSession);
    await this.reset();
  }

  private handleSession(s: SessionState): void {
    if (this.state !== 'started') return;
    switch (s.type) {
      case 'disconnected':
      case 'expired':
        this.setLeadership(false);
        if (s.type === 'expired') this.ourPath = null;
        break;
      case 'reconnected':
        void this.checkLeadership();
        break;
      case 'session':
        if (!s.first) void this.reset();
        break;
    }
  }

  private reset(): Promise<void> {
    return this.resets.request();
  }

  private async resetOnce(): Promise<void> {
    this.setLeadership(false);
    const old = this.ourPath;
    this.ourPath = null;
    if (old) await this.zk.remove(old, -1).catch(() => undefined);
    try {
      this.ourPath = await retry(() => this.zk.create(`${this.paths.leader}/n_`, encode({ id: this.id }), 'ephemeral-sequential'), {
        ...RECREATE_EPHEMERAL_BACKOFF,
        // Whatever the error (even a missing `leader/` node someone deleted): keep trying while we run.
        retriable: () => true,
        while: () => this.state === 'started',
        onRetry: (err) => this.log.warn({ err }, 'cannot create the leader candidate node yet'),
      });
    } catch (err) {
      if (!(err instanceof RetryAbortedError)) throw err;
    }
    if (this.state !== 'started') {
      await this.deleteOurNode();
      return;
    }
    await this.checkLeadership();
  }

  /**
   * Called when a fenced write failed because our node is gone: re-check, so
   * a leader whose node vanished steps down (and rejoins) instead of retrying.
   */
  verify(): void {
    if (this.state === 'started') void this.checkLeadership();
  }

  private checkLeadership(): Promise<void> {
    return this.checks.request();
  }

  private async checkOrRetryLater(): Promise<void> {
    try {
      await this.checkOnce();
    } catch (err) {
      this.log.warn({ err }, 'leadership check failed; retrying');
      setTimeout(() => void this.checkLeadership(), 500).unref();
    }
  }

  private async checkOnce(): Promise<void> {
    if (this.state !== 'started' || !this.ourPath) return;
    const children = (await this.zk.getChildren(this.paths.leader)).sort((a, b) => sequenceOf(a) - sequenceOf(b));
    const ourName = this.ourPath.slice(this.paths.leader.length + 1);
    const index = children.indexOf(ourName);
    if (index < 0) {
      this.log.warn({ node: this.ourPath }, 'our candidate node is gone; re-creating it');
      void this.reset();
      return;
    }
    if (index === 0) {
      const node = await this.zk.getDataOrNull(this.ourPath);
      if (node && this.zk.ownsEphemeral(node.stat)) {
        this.setLeadership(true);
      } else {
        this.log.warn({ node: this.ourPath }, 'lowest candidate node is not owned by our session; re-creating it');
        void this.reset();
      }
      return;
    }
    this.setLeadership(false);
    const predecessor = `${this.paths.leader}/${children[index - 1]}`;
    const pred = await this.zk.getDataOrNull(predecessor, () => void this.checkLeadership());
    if (!pred) {
      void this.checkLeadership();
    } else if (this.zk.ownsEphemeral(pred.stat)) {
      // An orphan of ours (a create whose reply was lost, then retried):
      // waiting on it would wait on ourselves forever.
      this.log.warn({ node: predecessor }, 'deleting an orphaned candidate node of our own session');
      await this.zk.remove(predecessor, -1).catch(() => undefined);
      void this.checkLeadership();
    }
  }

  private setLeadership(value: boolean): void {
    if (this.leader === value) return;
    this.leader = value;
    this.log.info({ node: this.ourPath }, value ? 'became leader' : 'no longer leader');
    this.emit(value ? 'leader' : 'follower');
  }

  /** Gives up leadership (e.g. when draining) and leaves the election. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.zk.off('state', this.onSession);
    this.setLeadership(false);
    await this.deleteOurNode();
  }

  private async deleteOurNode(): Promise<void> {
    const path = this.ourPath;
    this.ourPath = null;
    if (!path) return;
    try {
      await this.zk.remove(path, -1);
    } catch (err) {
      if (!isZkCode(err, ZK.NO_NODE) && !isZkCode(err, ZK.CONNECTION_LOSS)) this.log.warn({ err }, 'cannot delete candidate node');
    }
  }
}
