import type { GroupSnapshot } from '../../coordinator/index.js';

const LISTED = 5;

/** The producers that follow the group, and the range counts they send with (a split shows them switching). */
export function producerLines(s: GroupSnapshot): string[] {
  const producers = s.producers ?? [];
  if (producers.length === 0) return [];
  const byR = new Map<number, number>();
  for (const p of producers) byR.set(p.ranges, (byR.get(p.ranges) ?? 0) + 1);
  const counts = [...byR].sort((a, b) => a[0] - b[0]).map(([r, n]) => `${n} with R=${r}`).join(', ');
  const ids = producers.map((p) => p.id).sort();
  const listed = ids.slice(0, LISTED).join(', ') + (ids.length > LISTED ? `, ... (${ids.length - LISTED} more)` : '');
  return [`producers: ${producers.length} following the group (${counts}): ${listed}`];
}
