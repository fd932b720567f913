import type { RangeView } from '../../coordinator/index.js';
import { rangeState, type RangeState } from './range-states.js';

/** The least settled state of a cell wins its character: one unowned range is what an operator looks for. */
const CELL_CHAR: Record<RangeState, string> = { settled: '#', moving: '~', waiting: '_', unassigned: '.' };
const WORST_FIRST: RangeState[] = ['unassigned', 'waiting', 'moving', 'settled'];

export const STRIP_LEGEND = '# all as assigned  ~ some moving  _ some waiting  . some unassigned';

/** First range of cell `i` when `ranges` ranges are spread over `cells` cells. */
export function cellStart(i: number, ranges: number, cells: number): number {
  return Math.floor((i * ranges) / cells);
}

/**
 * The ring as a density strip: at most `width` cells, each covering an equal
 * slice of the ranges (one range per cell when there are fewer ranges than cells).
 */
export function ringStrip(assignment: readonly RangeView[], width: number): string {
  const cells = Math.min(width, assignment.length);
  let strip = '';
  for (let i = 0; i < cells; i++) {
    const seen = new Set<RangeState>();
    const end = cellStart(i + 1, assignment.length, cells);
    for (let r = cellStart(i, assignment.length, cells); r < end; r++) seen.add(rangeState(assignment[r]!));
    strip += CELL_CHAR[WORST_FIRST.find((s) => seen.has(s)) ?? 'settled'];
  }
  return strip;
}

/** A line of ticks under the strip, every `every` cells, labelled with the first range of that cell. */
export function stripAxis(ranges: number, cells: number, indent: number, every = 16): string {
  let axis = ' '.repeat(indent);
  for (let i = 0; i < cells; i += every) {
    if (i > 0 && axis.length >= indent + i) continue; // the previous label reaches this tick: skip rather than run together
    axis = axis.padEnd(indent + i) + `|${cellStart(i, ranges, cells)}`;
  }
  return axis.trimEnd();
}
