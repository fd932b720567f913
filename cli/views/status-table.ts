import { encodeRuns, type GroupSnapshot, type PollerView } from '../../coordinator/index.js';
import { unhealthyLines } from './unhealthy-lines.js';
import { producerLines } from './producer-line.js';
import { resizeLines } from './resize-lines.js';

/** `status --full`: one row per poller and one per range (the default for small groups). */
export function formatFullStatus(s: GroupSnapshot): string {
  const lines: string[] = [statusHeader(s), ''];
  lines.push(pad(['POLLER', 'HOST', 'PID', 'WEIGHT', 'STATE', 'RANGES'], [24, 16, 8, 7, 9]));
  for (const p of s.pollers) {
    lines.push(pad([p.id, p.host, String(p.pid), String(p.weight), pollerState(p), compactRanges(p.ranges)], [24, 16, 8, 7, 9]));
  }
  if (!s.pollers.length) lines.push('(no pollers)');
  lines.push(...unhealthyLines(s.pollers));
  lines.push(...producerLines(s));
  lines.push(...resizeLines(s));
  lines.push('');
  const withLag = s.assignment.some((r) => r.end !== undefined);
  const head = ['RANGE', 'ASSIGNED', 'OWNER', 'COMMITTED', ...(withLag ? ['END', 'LAG'] : [])];
  const widths = [6, 24, 24, 12, 12];
  lines.push(pad(head, widths));
  for (const r of s.assignment) {
    const cells = [String(r.range), r.assigned ?? '-', r.owner ?? '-', r.committed ?? '-'];
    if (withLag) cells.push(r.end ?? '-', lagCell(r.lag));
    lines.push(pad(cells, widths));
  }
  for (const p of s.problems) lines.push(`problem: ${p.path}: ${p.error}`);
  return lines.join('\n');
}

/** The STATE cell: 'unhealthy' for an active poller that says it cannot work (its ranges go to healthy pollers). */
export function pollerState(p: PollerView): string {
  return p.state === 'active' && p.unhealthy ? 'unhealthy' : p.state;
}

export function statusHeader(s: GroupSnapshot, convergence = s.converged ? 'converged' : 'NOT converged'): string {
  return `group ${s.group}  topic ${s.topic ?? '?'}  ranges ${s.ranges}  epoch ${s.epoch ?? '-'}  leader ${s.leader ?? '(none)'}  ${convergence}`;
}

export function lagCell(lag: number | null | undefined): string {
  return lag === null || lag === undefined ? '-' : String(lag);
}

/** Cells left-aligned in columns of `widths` (the last cell takes what it needs). */
export function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join(' ').trimEnd();
}

/** [0,1,2,5,7,8] -> "0-2,5,7-8"; no ranges -> "-" */
export function compactRanges(ranges: readonly number[]): string {
  return encodeRuns(ranges) || '-';
}
