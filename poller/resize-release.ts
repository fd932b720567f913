import type { Logger } from 'pino';
import { offsetFromString, type GroupConfig } from '../coordinator/index.js';
import type { PollerResources } from './poller-resources.js';

/**
 * The first half of starting again on a resized group (docs/design.md
 * "Growing a group"): each old partition frozen at its split point, what is
 * below it let finish (the gate released, parked work resumed), leadership
 * given up, and every range released with its final commit, in-flight
 * messages given the drain timeout as in a graceful stop. After a resize
 * the poller missed (the split is not from its range count) the gate stays
 * shut and nothing more starts.
 */
export async function releaseForResize(r: PollerResources, config: GroupConfig, drainTimeoutMs: number, log: Logger): Promise<void> {
  const split = config.split;
  if (split && split.from === r.config.ranges) {
    const points = split.offsets.map(offsetFromString);
    r.owned.freezeFrom((range) => points[range] ?? 0);
    r.gate.release();
    r.owned.tick(true);
  }
  if (r.coordinator) await r.coordinator.close().catch((err: unknown) => log.warn({ err }, 'cannot leave the election cleanly'));
  await r.assigned.close(drainTimeoutMs).catch((err: unknown) => log.warn({ err }, 'cannot release every range cleanly'));
}
