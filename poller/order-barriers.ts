import { committedUpTo, offsetFromString, parentOf, waitForCommitted, type GroupConfig, type GroupPaths, type ZkSession } from '../coordinator/index.js';
import type { OrderBarrier, SplitBarriers } from './owned-ranges.js';

/**
 * The order barriers of a group that was resized (docs/design.md "Growing a
 * group"): new range j's keys were old range parent(j)'s, so j's messages
 * from its split point on (all of them for a new partition) wait until the
 * parent partition has been committed up to its own split point. Range 0
 * (its own parent) and every range once its parent got there have none.
 * Undefined for a group that was never resized.
 *
 * A parent seen there once stays there (committed offsets only move
 * forward), so one look or wait per parent serves all its children.
 */
export function orderBarriers(zk: ZkSession, paths: GroupPaths, config: GroupConfig): SplitBarriers | undefined {
  const split = config.split;
  if (!split) return undefined;
  const drained = new Set<number>();
  /** One-shot reads under way, by parent. */
  const looking = new Map<number, Promise<void>>();
  const look = (parent: number, parentAt: number): Promise<void> => {
    let read = looking.get(parent);
    if (!read) {
      read = committedUpTo(zk, paths, parent, parentAt).then(
        (there) => void (there && drained.add(parent)),
        () => undefined, // the wait reads again
      );
      looking.set(parent, read);
      void read.finally(() => looking.delete(parent));
    }
    return read;
  };
  const of = (range: number): OrderBarrier | null => {
    const parent = parentOf(range, split.from, config.ranges);
    if (parent === range || drained.has(parent)) return null;
    const parentAt = offsetFromString(split.offsets[parent]!);
    return {
      holdFrom: range < split.from ? offsetFromString(split.offsets[range]!) : 0,
      look: () => void look(parent, parentAt),
      wait: async (signal) => {
        const under = looking.get(parent);
        if (under) await under;
        if (!drained.has(parent)) await waitForCommitted(zk, paths, parent, parentAt, signal);
        drained.add(parent);
      },
    };
  };
  return { of, fromSplit: (range) => parentOf(range, split.from, config.ranges) !== range };
}
