import { offsetFromString, parentOf, waitForCommitted, type GroupConfig, type GroupPaths, type ZkSession } from '../coordinator/index.js';
import type { OrderBarrier } from './owned-ranges.js';

/**
 * The order barriers of a group that was resized (docs/design.md "Growing a
 * group"): new range j's keys were old range parent(j)'s, so j's messages
 * from its split point on (all of them for a new partition) wait until the
 * parent partition has been committed up to its own split point. Range 0
 * (its own parent) and every range once its parent got there have none.
 * Undefined for a group that was never resized.
 */
export function orderBarriers(zk: ZkSession, paths: GroupPaths, config: GroupConfig): ((range: number) => OrderBarrier | null) | undefined {
  const split = config.split;
  if (!split) return undefined;
  const drained = new Set<number>();
  return (range) => {
    const parent = parentOf(range, split.from, config.ranges);
    if (parent === range || drained.has(parent)) return null;
    const parentAt = offsetFromString(split.offsets[parent]!);
    return {
      holdFrom: range < split.from ? offsetFromString(split.offsets[range]!) : 0,
      wait: async (signal) => {
        await waitForCommitted(zk, paths, parent, parentAt, signal);
        drained.add(parent);
      },
    };
  };
}
