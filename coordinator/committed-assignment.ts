import { rangesInForce, sameRanges } from './assignment-view.js';
import { rangesByOwner } from './member-assignment-nodes.js';
import type { MemberAssignmentNode, RangesAt } from './znodes.js';

/** A poller's node as the leader knows it. */
export interface KnownNode {
  /** The znode's data version; null when no znode exists yet. */
  version: number | null;
  /** Null when its data is malformed (ranges unknown: read as none). */
  node: MemberAssignmentNode | null;
  /** The znode does not hold what `node` says (malformed, or carried over from an old layout): write it at the next publish. */
  rewrite: boolean;
}

/** One node write of an epoch's staging step. */
export interface StagedWrite {
  id: string;
  node: MemberAssignmentNode;
  /** Expected data version; null: create. */
  version: number | null;
}

/**
 * The leader's picture of the committed assignment: the header's epoch and
 * version and every poller's node. Pure; `AssignmentPublisher` reads it
 * from ZooKeeper and writes the plans it makes.
 */
export class CommittedAssignment {
  constructor(
    /** The group's range count (grows with a resize). */
    public ranges: number,
    public headerEpoch: number,
    /** Header data version; -1 when the header does not exist. */
    public headerVersion: number,
    readonly nodes: Map<string, KnownNode>,
  ) {}

  /** The ranges a poller has at the committed epoch. */
  inForce(id: string): RangesAt {
    const known = this.nodes.get(id);
    if (!known?.node) return { epoch: 0, ranges: [] };
    const view = rangesInForce(known.node, this.headerEpoch);
    // Not possible for a node staged on top of this header; read as none, and rewrite it.
    return view === 'stale' ? { epoch: 0, ranges: [] } : view;
  }

  /** Owner of every range at the committed epoch (null: nobody). */
  owners(): (string | null)[] {
    const owners = new Array<string | null>(this.ranges).fill(null);
    for (const id of this.nodes.keys()) for (const r of this.inForce(id).ranges) if (r < this.ranges) owners[r] = id;
    return owners;
  }

  /** Greater than every epoch written so far, committed or only staged (and than the header's version: garbage written to it counted too). */
  nextEpoch(): number {
    let top = Math.max(this.headerEpoch, this.headerVersion);
    for (const k of this.nodes.values()) if (k.node) top = Math.max(top, k.node.epoch);
    return top + 1;
  }

  /**
   * The node writes that make `owners` the assignment of `epoch`: every
   * poller whose ranges change, and every node staged beyond the committed
   * header (a deposed leader's unfinished publish) or marked for rewrite,
   * even when its ranges stay: after the commit its own epoch would be in force.
   */
  plan(owners: readonly (string | null)[], epoch: number): StagedWrite[] {
    const wanted = rangesByOwner(owners);
    const writes: StagedWrite[] = [];
    for (const id of new Set([...this.nodes.keys(), ...wanted.keys()])) {
      const known = this.nodes.get(id);
      const want = wanted.get(id) ?? [];
      const current = this.inForce(id);
      const staged = known?.node != null && known.node.epoch > this.headerEpoch;
      const mustWrite = staged || known?.rewrite === true;
      if (!mustWrite && sameRanges(current.ranges, want)) continue;
      if (!known && want.length === 0) continue;
      writes.push({ id, node: { epoch, ranges: want, prev: current }, version: known?.version ?? null });
    }
    return writes;
  }

  /** The staged writes landed. */
  staged(writes: readonly StagedWrite[]): void {
    for (const w of writes) this.nodes.set(w.id, { version: w.version === null ? 0 : w.version + 1, node: w.node, rewrite: false });
  }

  /** The header of `epoch` landed. */
  committed(epoch: number): void {
    this.headerEpoch = epoch;
    this.headerVersion += 1;
  }

  /** Nodes with no ranges in force and nothing staged: deleted after a commit. */
  empty(): { id: string; version: number }[] {
    const out: { id: string; version: number }[] = [];
    for (const [id, k] of this.nodes) {
      if (k.version === null || !k.node || k.rewrite || k.node.epoch > this.headerEpoch) continue;
      if (this.inForce(id).ranges.length === 0) out.push({ id, version: k.version });
    }
    return out;
  }
}
