import { parentOf, type GroupSnapshot } from '../../coordinator/index.js';

const LISTED = 5;

function list(items: (string | number)[]): string {
  return items.slice(0, LISTED).join(', ') + (items.length > LISTED ? `, ... (${items.length - LISTED} more)` : '');
}

/** "paused 2 of 3, waiting for c" of one kind of process. */
function pausedOf(kind: string, all: { id: string; pausedFor?: string }[], id: string): string {
  const paused = all.filter((p) => p.pausedFor === id).length;
  const waiting = all.filter((p) => p.pausedFor !== id).map((p) => p.id).sort();
  return `${kind} paused ${paused} of ${all.length}${waiting.length > 0 ? `, waiting for ${list(waiting)}` : ''}`;
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
    lines.push(
      `resize under way: ${r.from} -> ${r.to} ranges since ${r.startedAt} (pid ${r.pid} on ${r.host}); ${pausedOf('producers', s.producers ?? [], r.id)}; ${pausedOf('pollers', s.pollers, r.id)}` +
        (r.ends ? '; split points read: pollers go on below them' : ''),
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
