import type { PollerView } from '../../coordinator/index.js';

/**
 * "p2 unhealthy since 10:00:01: fetch-stall (no Kafka broker answered for 20 s)"
 * for the first `max` unhealthy pollers, then how many more.
 */
export function unhealthyLines(pollers: readonly PollerView[], max = Infinity): string[] {
  const sick = pollers.filter((p) => p.unhealthy !== undefined);
  const lines = sick.slice(0, max).map((p) => `${p.id} unhealthy since ${p.unhealthy!.since.slice(11, 19)}: ${p.unhealthy!.reason} (${p.unhealthy!.detail})`);
  const more = sick.length - lines.length;
  return more > 0 ? [...lines, `... ${more} more unhealthy (--json lists them all)`] : lines;
}
