import type { Logger } from 'pino';
import type { Op, ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { CommittedAssignment, type KnownNode, type StagedWrite } from './committed-assignment.js';
import { encode, encodeMemberAssignment, parseAssignmentHeader, type AssignmentHeader } from './znodes.js';
import { rangesByOwner, readMemberAssignmentNodes } from './member-assignment-nodes.js';
import { chunkBySize, MULTI_CHUNK_BYTES, opBytes } from './op-chunks.js';

/**
 * The leader's writes of the assignment (docs/design.md, "Publishing an
 * epoch"): it stages the nodes of the pollers whose ranges change, then
 * commits the epoch by writing the header (in the same multi when all of it
 * fits in one request), then deletes nodes left with no ranges. Every write
 * is a multi that also checks the leader's own node, so a deposed leader's
 * writes cannot land. Any failure forgets what it knew: the next publish
 * reads the assignment again.
 */
export class AssignmentPublisher {
  private state: CommittedAssignment | null = null;
  /** The epoch of the last valid header read or written: what garbage in the header hides. */
  private lastCommittedEpoch: number | null = null;

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private ranges: number,
    private readonly log: Logger,
  ) {}

  /**
   * The group was resized to `ranges`: what it knew stays true (a range
   * keeps its number, and nodes written over the old count read the same),
   * so the next publish need not read the assignment again.
   */
  grow(ranges: number): void {
    this.ranges = ranges;
    // The same object: a publish under way goes on updating what we keep.
    if (this.state) this.state.ranges = ranges;
  }

  /** The committed assignment, read from ZooKeeper the first time (and after any failure). */
  async current(): Promise<CommittedAssignment> {
    return (this.state ??= await this.load());
  }

  forget(): void {
    this.state = null;
  }

  /**
   * Publishes `owners` as a new epoch, if anything needs writing. Resolves
   * with the epoch, or null when the committed assignment already says it.
   */
  async publish(leaderNode: string, owners: readonly (string | null)[], meta: Omit<AssignmentHeader, 'epoch'>): Promise<number | null> {
    const state = await this.current();
    const epoch = state.nextEpoch();
    const writes = state.plan(owners, epoch);
    if (writes.length === 0 && state.headerVersion >= 0) return null;
    const check: Op = { op: 'check', path: leaderNode, version: -1 };
    const header = encode({ epoch, leader: meta.leader, at: meta.at, reason: meta.reason });
    const commit: Op =
      state.headerVersion < 0
        ? { op: 'create', path: this.paths.assignment, data: header }
        : { op: 'setData', path: this.paths.assignment, data: header, version: state.headerVersion };
    try {
      const nodeWrites = writes.map((w) => this.writeOp(w));
      // The header first: a create makes the nodes' parent.
      const whole = [commit, ...nodeWrites];
      if (whole.reduce((bytes, op) => bytes + opBytes(op), 0) <= MULTI_CHUNK_BYTES) {
        // Small enough for one request: staged and committed at once, one write round trip.
        await this.zk.multi([check, ...whole]);
        state.staged(writes);
      } else {
        for (const chunk of chunkBySize(nodeWrites, opBytes)) await this.zk.multi([check, ...chunk]);
        state.staged(writes);
        await this.zk.multi([check, commit]);
      }
      state.committed(epoch);
      this.lastCommittedEpoch = epoch;
    } catch (err) {
      this.forget();
      throw err;
    }
    await this.removeEmpty(check, state);
    return epoch;
  }

  private writeOp(w: StagedWrite): Op {
    const path = this.paths.memberAssignment(w.id);
    const data = encodeMemberAssignment(w.node, this.ranges);
    return w.version === null ? { op: 'create', path, data } : { op: 'setData', path, data, version: w.version };
  }

  /** Nodes left with no ranges go; a failure here only costs a reread. */
  private async removeEmpty(check: Op, state: CommittedAssignment): Promise<void> {
    const empty = state.empty();
    const ops: Op[] = empty.map((e) => ({ op: 'remove', path: this.paths.memberAssignment(e.id), version: e.version }));
    try {
      for (const chunk of chunkBySize(ops, opBytes)) await this.zk.multi([check, ...chunk]);
      for (const e of empty) state.nodes.delete(e.id);
    } catch (err) {
      this.log.debug({ err }, 'could not delete empty assignment nodes; they go after the next publish');
      this.forget();
    }
  }

  private async load(): Promise<CommittedAssignment> {
    const headerNode = await this.zk.getDataOrNull(this.paths.assignment);
    const parsed = headerNode ? parseAssignmentHeader(headerNode.data, this.ranges) : null;
    if (parsed && !parsed.ok) this.log.warn({ problem: parsed.error }, 'ignoring a malformed assignment header');
    const header = parsed?.ok ? parsed.value : null;
    const nodes = headerNode ? await this.readNodes() : new Map<string, KnownNode>();
    if (header?.legacyOwners && nodes.size === 0) carryOver(header.legacyOwners, header.epoch, nodes);
    if (header) this.lastCommittedEpoch = header.epoch;
    return new CommittedAssignment(this.ranges, header?.epoch ?? this.committedEpochBehindGarbage(nodes), headerNode?.stat.version ?? -1, nodes);
  }

  /**
   * The header is garbage: its epoch is the last valid one this leader saw,
   * or, for a leader that never saw one, the newest epoch of any node (a
   * guess that takes a half-staged epoch as committed: the leases still
   * keep every range to one holder, and the next publish rewrites it all).
   */
  private committedEpochBehindGarbage(nodes: Map<string, KnownNode>): number {
    if (this.lastCommittedEpoch !== null) return this.lastCommittedEpoch;
    let newest = 0;
    for (const k of nodes.values()) if (k.node) newest = Math.max(newest, k.node.epoch);
    return newest;
  }

  private async readNodes(): Promise<Map<string, KnownNode>> {
    const nodes = new Map<string, KnownNode>();
    for (const [id, read] of await readMemberAssignmentNodes(this.zk, this.paths, this.ranges)) {
      if (!read.ok) this.log.warn({ problem: read.error }, 'malformed assignment node: rewriting it at the next publish');
      nodes.set(id, { version: read.version, node: read.ok ? read.node : null, rewrite: !read.ok });
    }
    return nodes;
  }
}

/** A group written with one assignment znode (ringleader 0.1): its owners become nodes to write. */
function carryOver(owners: readonly (string | null)[], epoch: number, nodes: Map<string, KnownNode>): void {
  for (const [id, ranges] of rangesByOwner(owners)) nodes.set(id, { version: null, node: { epoch, ranges, prev: { epoch: 0, ranges: [] } }, rewrite: true });
}
