import type { Logger } from 'pino';
import type { GroupConfig, GroupPaths } from '../coordinator/index.js';
import type { PollerResources } from './poller-resources.js';
import { orderBarriers } from './order-barriers.js';
import { misplacedKeyCheck } from './misplaced-keys.js';

/**
 * Whether a poller running with `current` can follow `next` without
 * starting again: `next` is the split of exactly the range count it runs
 * with (a poller that missed a resize, cut off while two cut over, does not
 * know the split points in between and must start again).
 */
export function canGrowInPlace(current: GroupConfig, next: GroupConfig): boolean {
  const split = next.split;
  return split !== undefined && split.from === current.ranges && next.ranges > current.ranges && next.ranges % current.ranges === 0;
}

/**
 * Follows a resize in place (docs/design.md "Growing a group"), called while
 * the resize hold keeps the fencing gate shut: the Kafka source learns the
 * new partitions, every range already running keeps its lease and pipeline
 * and gets the split's order barrier (its messages past the split point
 * wait for its parent partition; the ones below go on), ranges started from
 * now on get theirs, and the assignment is read over the new count. Last,
 * the hold lets go: the gate opens unless another resize began meanwhile.
 */
export async function growInPlace(r: PollerResources, config: GroupConfig, paths: GroupPaths, log: Logger, onMisplaced: (range: number) => void): Promise<void> {
  // The new partitions can be assigned at once; the ranges kept need nothing from the client's metadata.
  const learned = r.source.grow(config.ranges);
  r.config = config;
  r.owned.followSplit(orderBarriers(r.zk, paths, config), misplacedKeyCheck(config, log, onMisplaced));
  r.assigned.grew(config.ranges);
  r.resizeHold.grew(config.ranges);
  await learned;
}
