import { pino, type Logger } from 'pino';
import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode, parseOffset, type OffsetRecord } from './znodes.js';
import { isZkCode, ZK } from './zk-errors.js';
import type { Lease, LeaseStore } from './lease-store.js';
import { offsetFromString, offsetToString, type Offset } from './offsets.js';
import type { Op } from './zk-session.js';
import { WriteBatcher } from './write-batcher.js';

export class OffsetCorruptError extends Error {
  constructor(readonly range: number, detail: string) {
    super(`offsets/${range} is malformed (${detail}); refusing to guess a position — fix or delete the znode`);
    this.name = 'OffsetCorruptError';
  }
}

export type CommitResult = 'committed' | 'unchanged' | 'fenced';

/**
 * `offsets/<range>`: the next offset to read, written only by the lease
 * holder (model/: action `commit`). Every write is a multi with
 * check(leases/<range>, version), so a poller that lost its lease cannot
 * commit; the version alone can't tell two holders apart (every new lease
 * starts at version 0), which is why a lease is also bound to the session
 * that created it: the ZooKeeper server rejects any request of an expired
 * session, and we never send a lease's commit through a newer session.
 * Offsets never go backwards: a commit at or below the last one is skipped.
 * Commits go through the process's WriteBatcher: the periodic commits of
 * every owned range leave as one multi, each range still fenced by its own
 * lease check.
 */
export class OffsetStore {
  private readonly log: Logger;
  private readonly last = new Map<number, Offset>();

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly leases: LeaseStore,
    private readonly pollerId: string,
    logger?: Logger,
    private readonly writes = new WriteBatcher(zk),
  ) {
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'offset-store', poller: pollerId });
  }

  /**
   * Reads the committed position after acquiring the lease. Reading after our
   * own lease create is safe even from a lagging follower: a server applies
   * writes in zxid order and shows a client its own writes, so it has applied
   * the previous holder's last commit (which came before its lease delete).
   */
  async read(range: number): Promise<Offset | null> {
    const node = await this.zk.getDataOrNull(this.paths.offset(range));
    if (!node) {
      this.last.delete(range);
      return null;
    }
    const parsed = parseOffset(node.data);
    if (!parsed.ok) throw new OffsetCorruptError(range, parsed.error);
    let offset: Offset;
    try {
      offset = offsetFromString(parsed.value.offset);
    } catch (err) {
      throw new OffsetCorruptError(range, (err as Error).message);
    }
    this.last.set(range, offset);
    return offset;
  }

  async commit(lease: Lease, next: Offset): Promise<CommitResult> {
    const range = lease.range;
    if (!this.leases.isCurrent(lease)) return 'fenced';
    const last = this.last.get(range);
    if (last !== undefined && next <= last) return 'unchanged';
    const record: OffsetRecord = { offset: offsetToString(next), poller: this.pollerId, epoch: lease.epoch, at: new Date().toISOString() };
    const check: Op = { op: 'check', path: this.paths.lease(range), version: lease.version };
    const path = this.paths.offset(range);
    const data = encode(record);
    try {
      if (last === undefined) {
        try {
          await this.writes.submit([check, { op: 'create', path, data }], lease.sessionGeneration);
        } catch (err) {
          if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
          await this.writes.submit([check, { op: 'setData', path, data, version: -1 }], lease.sessionGeneration);
        }
      } else {
        await this.writes.submit([check, { op: 'setData', path, data, version: -1 }], lease.sessionGeneration);
      }
    } catch (err) {
      if (isZkCode(err, ZK.NO_NODE) || isZkCode(err, ZK.BAD_VERSION) || isZkCode(err, ZK.SESSION_EXPIRED)) {
        this.log.warn({ range, offset: record.offset }, 'commit fenced: lease no longer held');
        return 'fenced';
      }
      throw err;
    }
    this.last.set(range, next);
    return 'committed';
  }

  /** The last offset this process read or committed for a range. */
  lastCommitted(range: number): Offset | undefined {
    return this.last.get(range);
  }
}
