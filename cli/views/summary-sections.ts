import { producerLines } from './producer-line.js';
import { resizeLines } from './resize-lines.js';
import type { GroupSnapshot } from '../../coordinator/index.js';
import { unhealthyLines } from './unhealthy-lines.js';
import { countRangeStates, offAssignmentCount, unownedCount, type RangeCounts } from './range-states.js';
import { ringStrip, stripAxis, STRIP_LEGEND } from './ring-strip.js';
import { pollerSpread, heldHistogram, type PollerLoad, type PollerSpread } from './poller-spread.js';
import { lagSummary } from './top-lags.js';
import { pad, lagCell } from './status-table.js';

export interface SummaryOptions {
  /** How many of the largest lags to list. */
  top: number;
  /** Cells of the ring strip. */
  stripWidth?: number;
  /** Problems listed before "... N more". */
  problems?: number;
}

const LABEL = 9;
const label = (name: string) => name.padEnd(LABEL);

/** "NOT converged: 12 unowned, 3000 held off-assignment (2990 moving)", or "converged". */
export function convergenceText(s: GroupSnapshot, notConverged = 'NOT converged'): string {
  if (s.converged) return 'converged';
  const c = countRangeStates(s.assignment);
  return `${notConverged}: ${unownedCount(c)} unowned, ${offAssignmentCount(c)} held off-assignment (${c.moving} moving)`;
}

/**
 * The group in a bounded number of lines whatever its size: range states,
 * the ring as a density strip, how ranges spread over pollers, the largest
 * lags, the first problems. Sections are separated by one blank line.
 */
export function summaryBody(s: GroupSnapshot, o: SummaryOptions): string[] {
  const sections = [rangeLines(countRangeStates(s.assignment), s.ranges), stripLines(s, o.stripWidth ?? 64), [...pollerLines(s), ...producerLines(s), ...resizeLines(s)], lagLines(s, o.top)];
  const problems = problemLines(s, o.problems ?? 5);
  if (problems.length) sections.push(problems);
  return sections.flatMap((lines, i) => (i ? ['', ...lines] : lines));
}

function rangeLines(c: RangeCounts, ranges: number): string[] {
  // Rounded down, so 100% means every range.
  const share = ranges ? ` (${(Math.floor((1000 * c.settled) / ranges) / 10).toFixed(1)}%)` : '';
  const held = c.heldUnassigned ? ` (${c.heldUnassigned} held)` : '';
  return [`${label('ranges')}${c.settled} as assigned${share}  ${c.moving} moving  ${c.waiting} waiting  ${c.unassigned} unassigned${held}`];
}

function stripLines(s: GroupSnapshot, width: number): string[] {
  if (!s.assignment.length) return [`${label('ring')}(no ranges)`];
  const strip = ringStrip(s.assignment, width);
  const per = s.assignment.length / strip.length;
  const cell = per === 1 ? 'one range' : `${Number.isInteger(per) ? per : `~${Math.round(per)}`} ranges`;
  const start = `${label('ring')}0 `;
  return [
    `${label('ring')}each cell ${cell}: ${STRIP_LEGEND}`,
    `${start}${strip} ${s.assignment.length - 1}`,
    stripAxis(s.assignment.length, strip.length, start.length),
  ];
}

function pollerLines(s: GroupSnapshot): string[] {
  if (!s.pollers.length) return [`${label('pollers')}(no pollers)`];
  const sp = pollerSpread(s);
  const draining = sp.draining ? `, ${sp.draining} draining (holding ${sp.drainingHeld})` : '';
  const unhealthy = sp.unhealthy.length ? ` (${sp.unhealthy.length} unhealthy)` : '';
  const h = sp.held;
  const stats = h ? `  ranges held per active poller: min ${h.min}  median ${h.median}  mean ${round1(h.mean)}  max ${h.max}` : '';
  return [
    `${label('pollers')}${s.pollers.length}: ${sp.active} active${unhealthy}${draining}${stats}`,
    ...unhealthyLines(sp.unhealthy, 3).map((l) => `  ${l}`),
    ...extremeLines(sp),
    ...histogramLines(sp),
  ];
}


/** The pollers furthest above and below their fair share (ranges x weight / active weight). */
function extremeLines(sp: PollerSpread): string[] {
  const n = Math.min(3, Math.floor(sp.byExcess.length / 2));
  if (!n) return [];
  const show = (ls: PollerLoad[]) =>
    ls.map((l) => `${l.poller.id} ${l.held} (fair ${round1(l.fair)}${l.poller.state === 'draining' ? ', draining' : ''})`).join('  ');
  return [`  most   ${show(sp.byExcess.slice(0, n))}`, `  least  ${show(sp.byExcess.slice(-n).reverse())}`];
}

/** How many active pollers hold how many ranges, in at most six buckets. */
function histogramLines(sp: PollerSpread): string[] {
  const h = sp.held;
  if (!h) return [];
  if (h.min === h.max) return [`  every active poller holds ${h.min}`];
  const buckets = heldHistogram(sp.activeLoads, h.min, h.max, 6);
  const most = Math.max(...buckets.map((b) => b.pollers));
  const span = (b: { from: number; to: number }) => (b.from === b.to ? String(b.from) : `${b.from}-${b.to}`);
  const width = Math.max(...buckets.map((b) => span(b).length));
  return buckets.map(
    (b, i) => `  ${i ? '      ' : 'held  '}${span(b).padStart(width)}  ${String(b.pollers).padStart(5)} ${'#'.repeat(Math.ceil((30 * b.pollers) / most))}`.trimEnd(),
  );
}

function lagLines(s: GroupSnapshot, top: number): string[] {
  const lag = lagSummary(s.assignment, top);
  if (!lag) return [`${label('lag')}unknown (--brokers adds end offsets and lag)`];
  const head = `${label('lag')}total ${lag.total} over ${lag.known} ranges with known lag${lag.top.length ? `; the ${lag.top.length} largest:` : ''}`;
  if (!lag.top.length) return [head];
  const widths = [8, 24, 24, 14, 14];
  return [
    head,
    `  ${pad(['RANGE', 'OWNER', 'ASSIGNED', 'COMMITTED', 'END', 'LAG'], widths)}`,
    ...lag.top.map((r) => `  ${pad([String(r.range), r.owner ?? '-', r.assigned ?? '-', r.committed ?? '-', r.end ?? '-', lagCell(r.lag)], widths)}`),
  ];
}

function problemLines(s: GroupSnapshot, max: number): string[] {
  const lines = s.problems.slice(0, max).map((p) => `problem: ${p.path}: ${p.error}`);
  const more = s.problems.length - lines.length;
  return more > 0 ? [...lines, `... ${more} more problem(s) (--json lists them all)`] : lines;
}

function round1(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
