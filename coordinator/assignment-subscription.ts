import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { ZkSession, SessionState, Stat } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { MAX_GROUP_RANGES, parseAssignmentHeader, parseMemberAssignment, type MemberAssignmentNode } from './znodes.js';
import { rangesInForce } from './assignment-view.js';
import { CoalescingRunner } from './coalescing-runner.js';
import { sleep } from './retry.js';

/** How long to wait before reading the assignment again after a failed read. */
const REREAD_AFTER_ERROR_MS = 500;

/** refreshNode's answer for an assignment over more ranges than this process runs with yet. */
const AHEAD = 'ahead';

/** A poller's share of one committed epoch. */
export interface MemberAssignment {
  epoch: number;
  ranges: ReadonlySet<number>;
}

/**
 * Keeps this poller's ranges at the latest committed epoch: reads the
 * header with a watch, then its own node `assignment/<id>` as of that
 * header (`rangesInForce`; docs/design.md, "Publishing an epoch"). A
 * rebalance that did not touch this poller costs it the header and the
 * node's Stat (a few hundred bytes): the node's data is read again only
 * when its version changed. Reads run one at a time, so an older answer
 * never replaces a newer one; an epoch lower than the one held is ignored,
 * and so is a malformed node (never act on garbage).
 *
 * Events: `read` (current: MemberAssignment | null) after every read attempt,
 * `assignment` (MemberAssignment) when the epoch changes, `problem` (string).
 */
export class AssignmentSubscription extends EventEmitter {
  private view: MemberAssignment | null = null;
  /**
   * The own node as last read, and the zxid of its last write ('' when
   * missing): a version would repeat when the node is deleted and created again.
   */
  private node: { mzxid: string; value: MemberAssignmentNode | null } = { mzxid: '', value: null };
  private closed = false;
  private readonly log: Logger;
  private readonly reader = new CoalescingRunner(() => this.read());
  private readonly onChanged = () => void this.reader.request();
  private readonly onSession = (s: SessionState) => {
    if ((s.type === 'session' && !s.first) || s.type === 'reconnected') void this.reader.request();
  };

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private ranges: number,
    private readonly pollerId: string,
    logger?: Logger,
  ) {
    super();
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'assignment-subscription' });
  }

  get current(): MemberAssignment | null {
    return this.view;
  }

  /** Resolves after the first read attempt (whatever its outcome). */
  async start(): Promise<void> {
    this.zk.on('state', this.onSession);
    await this.reader.request();
  }

  close(): void {
    this.closed = true;
    this.zk.off('state', this.onSession);
  }

  /** The group grew to `ranges` (a resize): assignments are read against that count, starting with a read now. */
  grew(ranges: number): void {
    this.ranges = ranges;
    void this.reader.request();
  }

  private async read(): Promise<void> {
    if (this.closed) return;
    try {
      const problem = await this.readOnce();
      if (problem) {
        this.log.error({ problem }, 'ignoring unusable assignment');
        this.emit('problem', problem);
      }
    } catch (err) {
      this.log.warn({ err }, 'cannot read the assignment; retrying');
      void sleep(REREAD_AFTER_ERROR_MS).then(() => void this.reader.request());
    }
    if (!this.closed) this.emit('read', this.view);
  }

  /** One read of the header and our node; returns a problem to report, if any. */
  private async readOnce(): Promise<string | undefined> {
    // Both asked at once: the server answers a session's requests in order,
    // so the node's stat is as of the header read or later (a node past the
    // header reads as 'stale' below, as it would a round trip later).
    const [headerNode, nodeStat] = await Promise.all([
      this.zk.getDataOrNull(this.paths.assignment, this.onChanged),
      this.zk.exists(this.paths.memberAssignment(this.pollerId)),
    ]);
    if (!headerNode) {
      await this.zk.exists(this.paths.assignment, this.onChanged); // fire when it is created
      return `${this.paths.assignment} does not exist`;
    }
    const header = parseAssignmentHeader(headerNode.data, this.ranges);
    if (!header.ok) return `malformed ${this.paths.assignment}: ${header.error}`;
    const problem = await this.refreshNode(nodeStat);
    if (problem === AHEAD) return undefined;
    if (problem) return problem;
    const inForce = rangesInForce(this.node.value, header.value.epoch);
    if (inForce === 'stale') {
      // Our node is already past the header we read: a newer header exists, and its watch has fired.
      void this.reader.request();
      return undefined;
    }
    this.accept(header.value.epoch, inForce.ranges);
    return undefined;
  }

  /** Reads our node's data only if it was written since the last read (`stat`: its stat, read with the header). */
  private async refreshNode(stat: Stat | null): Promise<string | undefined> {
    const path = this.paths.memberAssignment(this.pollerId);
    if (!stat) {
      this.node = { mzxid: '', value: null };
      return undefined;
    }
    if (zxidOf(stat) === this.node.mzxid && this.node.value) return undefined;
    const data = await this.zk.getDataOrNull(path);
    if (!data) {
      this.node = { mzxid: '', value: null };
      return undefined;
    }
    const parsed = parseMemberAssignment(data.data, this.ranges, this.pollerId);
    if (!parsed.ok) {
      if (!parseMemberAssignment(data.data, MAX_GROUP_RANGES, this.pollerId).ok) return parsed.error;
      // Ranges past our count: the coordinator already follows a resize this process has not grown to yet; grew() reads again.
      this.log.debug({ ranges: this.ranges }, 'assignment for a larger range count than ours: waiting until we grow');
      return AHEAD;
    }
    this.node = { mzxid: zxidOf(data.stat), value: parsed.value };
    return undefined;
  }

  private accept(epoch: number, ranges: readonly number[]): void {
    if (this.view && epoch < this.view.epoch) return;
    const changed = !this.view || this.view.epoch !== epoch;
    this.view = { epoch, ranges: new Set(ranges) };
    if (changed) this.emit('assignment', this.view);
  }
}

function zxidOf(stat: Stat): string {
  return Buffer.from(stat.mzxid).toString('hex');
}
