import type { MemberAssignmentNode, RangesAt } from './znodes.js';

/**
 * What a poller's assignment node means at a committed header epoch
 * (docs/design.md, "Publishing an epoch"). The leader stages a node before it
 * commits the header, so a node newer than the header is not in force yet:
 * its `prev` is. A node whose `prev` is also newer than the header was
 * written after a later header the reader has not seen: the reader's header
 * is stale and it must read the header again ('stale'). A missing node means
 * no ranges.
 */
export function rangesInForce(node: MemberAssignmentNode | null, headerEpoch: number): RangesAt | 'stale' {
  if (!node) return { epoch: headerEpoch, ranges: [] };
  if (node.epoch <= headerEpoch) return { epoch: node.epoch, ranges: node.ranges };
  if (node.prev.epoch <= headerEpoch) return node.prev;
  return 'stale';
}

export function sameRanges(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
