import { parentOf, type GroupSnapshot } from '../../coordinator/index.js';

const LISTED = 5;

function list(items: (string | number)[]): string {
  return items.slice(0, LISTED).join(', ') + (items.length > LISTED ? `, ... (${items.length - LISTED} more)` : '');
}

/**
 * A resize under way (who has paused), and the last split: which old
 * partitions still drain to their split point and which new ranges wait
 * behind them (docs/design.md "Growing a group").
 */
export function resizeLines(s: GroupSnapshot): string[] {
  const lines: string[] = [];
  if (s.resize) {
    const r = s.resize;
    const producers = s.producers ?? [];
    const paused = producers.filter((p) => p.pausedFor === r.id).map((p) => p.id).sort();
    const waiting = producers.filter((p) => p.pausedFor !== r.id).map((p) => p.id).sort();
    lines.push(
      `resize under way: ${r.from} -> ${r.to} ranges since ${r.startedAt} (pid ${r.pid} on ${r.host}); producers paused ${paused.length} of ${producers.length}` +
        (waiting.length > 0 ? `, waiting for ${list(waiting)}` : ''),
    );
  }
  if (s.split) {
    const { from, to, parents } = s.split;
    const draining = parents.filter((p) => p.remaining > 0);
    if (draining.length === 0) {
      lines.push(`split ${from} -> ${to}: every new range has passed its order barrier`);
    } else {
      const behind = new Set(draining.map((p) => p.partition));
      const waitingRanges: number[] = [];
      for (let j = 0; j < to; j++) if (parentOf(j, from, to) !== j && behind.has(parentOf(j, from, to))) waitingRanges.push(j);
      lines.push(
        `split ${from} -> ${to}: old partitions draining to their split point: ${list(draining.map((p) => `${p.partition} (${p.remaining} to go)`))}; new ranges waiting behind them: ${list(waitingRanges)}`,
      );
    }
  }
  return lines;
}
