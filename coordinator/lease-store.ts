import zookeeper from 'node-zookeeper-client';
import { pino, type Logger } from 'pino';
import type { Stat, ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode, parseLease, type LeaseRecord } from './znodes.js';
import { isZkCode, ZK } from './zk-errors.js';
import { waitForDeletion } from './deletion-wait.js';
import { WriteBatcher } from './write-batcher.js';

const EPHEMERAL = zookeeper.CreateMode.EPHEMERAL;

/** Proof that this process holds `leases/<range>` in a given session. */
export interface Lease {
  readonly range: number;
  readonly epoch: number;
  /** Data version of the lease znode, checked by every commit. */
  readonly version: number;
  /** The session that created it: a lease never outlives its session. */
  readonly sessionGeneration: number;
  released: boolean;
}

/**
 * `created`: the lease is the one our create just made (reads sent from
 * `AcquireHow.sent` follow it); otherwise it was found to be ours already.
 */
export type AcquireResult = { lease: Lease; created?: boolean } | { heldBy: LeaseRecord | null };

export interface AcquireHow {
  /** Look for a holder before the create (default true). */
  look?: boolean;
  /** Called each time the create is sent; reads sent from it are served after the create. */
  sent?: () => void;
}

/**
 * The ephemeral `leases/<range>` nodes (model/: actions `acquire`, `release`).
 * Only the lease holder may consume or commit a range; the lease disappears
 * by itself when the holder's session expires. Creates and deletes go
 * through the process's WriteBatcher, so the leases an assignment gives
 * this process are taken in one multi.
 */
export class LeaseStore {
  private readonly log: Logger;

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly pollerId: string,
    logger?: Logger,
    private readonly writes = new WriteBatcher(zk),
  ) {
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'lease-store', poller: pollerId });
  }

  /**
   * Tries once to create the lease; if someone holds it, says who.
   *
   * It looks first, unless `how.look` is false: a lease still held by the
   * previous owner would fail the whole batched multi it was sent in, and
   * the other units in it would wait a round trip more. A caller that
   * knows the range was never leased (a range a split just made) skips the
   * look and saves that round trip; a wrong guess only costs the resend.
   *
   * `how.sent` is called when the create goes out (WriteBatcher.submit), so
   * the caller can send its offset read right behind it. The result's
   * `created` says the lease came from that create; a lease found to be ours
   * after a lost reply has no `created`, and reads sent behind the create
   * then prove nothing.
   */
  async tryAcquire(range: number, epoch: number, how: AcquireHow = {}): Promise<AcquireResult> {
    const path = this.paths.lease(range);
    const generation = this.zk.sessionGeneration;
    if (how.look !== false) {
      const existing = await this.zk.getDataOrNull(path);
      if (existing) return this.heldBy(range, epoch, existing, generation);
    }
    const record: LeaseRecord = { poller: this.pollerId, epoch, at: new Date().toISOString() };
    try {
      await this.writes.submit([{ op: 'create', path, data: encode(record), mode: EPHEMERAL }], generation, how.sent);
      this.log.debug({ range, epoch }, 'lease acquired');
      return { lease: { range, epoch, version: 0, sessionGeneration: generation, released: false }, created: true };
    } catch (err) {
      if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
    }
    const node = await this.zk.getDataOrNull(path);
    if (!node) return { heldBy: null }; // deleted in between: the caller retries at once
    return this.heldBy(range, epoch, node, generation);
  }

  private heldBy(range: number, epoch: number, node: { data: Buffer; stat: Stat }, generation: number): AcquireResult {
    if (this.zk.ownsEphemeral(node.stat) && generation === this.zk.sessionGeneration) {
      // Our own create succeeded but its reply was lost with the connection.
      const parsed = parseLease(node.data);
      return {
        lease: {
          range,
          epoch: parsed.ok ? parsed.value.epoch : epoch,
          version: node.stat.version,
          sessionGeneration: generation,
          released: false,
        },
      };
    }
    const parsed = parseLease(node.data);
    if (!parsed.ok) this.log.warn({ range, error: parsed.error }, 'lease held with malformed data');
    return { heldBy: parsed.ok ? parsed.value : null };
  }

  /**
   * An acquisition ended without a lease: if a create of ours went through
   * but its reply was lost (a timeout under load), the lease is ours and
   * would block the range's next owner until this session ends. Delete it.
   */
  async dropOrphan(range: number): Promise<void> {
    const path = this.paths.lease(range);
    const node = await this.zk.getDataOrNull(path);
    if (!node || !this.zk.ownsEphemeral(node.stat)) return;
    try {
      await this.writes.submit([{ op: 'remove', path, version: node.stat.version }], this.zk.sessionGeneration);
      this.log.warn({ range }, 'deleted a lease of ours whose create had timed out');
    } catch (err) {
      if (!isZkCode(err, ZK.NO_NODE) && !isZkCode(err, ZK.BAD_VERSION)) throw err;
    }
  }

  /** Resolves when `leases/<range>` is deleted, or after `timeoutMs`, or on abort. */
  waitForRelease(range: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return waitForDeletion(this.zk, this.paths.lease(range), timeoutMs, signal);
  }

  /**
   * Deletes the lease (after the final commit). Safe to call twice, and to
   * call again after a failure: the caller retries until it lands.
   *
   * It deletes the node only if our session owns it. A remove whose reply
   * was lost may have landed, and the range's next owner may have created
   * the lease again since: at version 0, like ours, so a retried
   * remove(version) alone would delete the new owner's lease.
   */
  async release(lease: Lease): Promise<void> {
    if (lease.released) return;
    if (lease.sessionGeneration !== this.zk.sessionGeneration) {
      lease.released = true; // it died with its session
      return;
    }
    const path = this.paths.lease(lease.range);
    const node = await this.zk.getDataOrNull(path);
    if (!node || !this.zk.ownsEphemeral(node.stat)) {
      lease.released = true;
      return;
    }
    try {
      await this.writes.submit([{ op: 'remove', path, version: node.stat.version }], lease.sessionGeneration);
      this.log.debug({ range: lease.range }, 'lease released');
    } catch (err) {
      if (!isZkCode(err, ZK.NO_NODE) && !isZkCode(err, ZK.SESSION_EXPIRED)) throw err; // still ours: the caller retries
    }
    lease.released = true;
  }

  /** Whether this lease can still be proven: not released, and its session is the live one. */
  isCurrent(lease: Lease): boolean {
    return !lease.released && lease.sessionGeneration === this.zk.sessionGeneration;
  }
}
