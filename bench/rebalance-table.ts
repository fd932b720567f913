/** The readable table of bench:rebalance: one row per system and event. */
import type { EventFigures } from './rebalance-measure.js';

export interface Row extends EventFigures {
  system: string;
}

const COLUMNS: [string, (r: Row) => string][] = [
  ['system', (r) => r.system],
  ['event', (r) => r.event],
  ['paused >200ms', (r) => String(r.pausedOver200ms)],
  ['max pause ms', (r) => String(Math.round(r.maxPauseMs))],
  ['median pause ms', (r) => String(Math.round(r.medianPauseMs))],
  ['moved', (r) => String(r.moved)],
  ['unmoved max pause ms', (r) => `${Math.round(r.unmovedMaxPauseMs)}${r.unmoved === 0 ? ' (none unmoved)' : ''}`],
  ['unmoved kept flowing', (r) => (r.unmoved === 0 ? '-' : r.unmovedKeptFlowing ? 'yes' : 'no')],
  ['handled again after ms', (r) => (r.handledAgainMs === null ? '-' : String(Math.round(r.handledAgainMs)))],
  ['duplicates', (r) => String(r.duplicates)],
];

/** A Markdown table (readable as plain text too). */
export function formatTable(rows: Row[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}
