import type { GroupSnapshot, GroupEvent } from '../../coordinator/index.js';
import { isSmallGroup } from './status-view.js';
import { summaryBody, convergenceText } from './summary-sections.js';
import { EventLines } from './event-lines.js';
import { pollerState } from './status-table.js';
import { unhealthyLines } from './unhealthy-lines.js';

export { describeEvent } from './event-lines.js';

const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface ViewState {
  snapshot: GroupSnapshot | null;
  /** Recent events (see rememberEvent); `log` takes precedence when set. */
  events: GroupEvent[];
  /** Recent events already merged into lines, for a watcher that sees every event of a large group. */
  log?: EventLines;
  /** Committed messages per second over the last refreshes (null until known). */
  rate: number | null;
  connection: 'connected' | 'disconnected' | 'expired';
  width: number;
  /** 'summary' even for a small group; 'auto' (the default) draws every range of a small group. */
  layout?: 'auto' | 'summary';
  /** How many of the largest lags the summary lists (default 5). */
  top?: number;
}

/** How many recent events a view keeps. */
const KEPT_EVENTS = 200;

/** Appends `e` to a view's recent events, dropping the oldest beyond KEPT_EVENTS. */
export function rememberEvent(events: GroupEvent[], e: GroupEvent): void {
  events.push(e);
  if (events.length > KEPT_EVENTS) events.splice(0, events.length - KEPT_EVENTS);
}

/** The sum of the committed offsets of every range: its growth is the committed rate. */
export function committedTotal(s: GroupSnapshot): number {
  return s.assignment.reduce((a, r) => a + (r.committed ? Number(r.committed) : 0), 0);
}

/**
 * The live view: a header, then for a small group the ring with one symbol
 * per range and one row per poller, for a large one the summary that
 * `status` prints; then recent events. Pure, so it is unit-tested.
 */
export function renderView(v: ViewState): string {
  const s = v.snapshot;
  if (!s) return 'ringleader watch: waiting for the group...';
  const detailed = v.layout !== 'summary' && isSmallGroup(s);
  const body = detailed ? fullBody(s, v.width) : summaryBody(s, { top: v.top ?? 5, problems: 3, stripWidth: Math.max(16, Math.min(64, v.width - 20)) });
  const events = (v.log ?? EventLines.of(v.events)).latest(detailed ? 12 : 8);
  return [...headerLines(v, s, detailed), '', ...body, '', 'recent events', ...events.map((l) => `  ${l}`)].join('\n');
}

function headerLines(v: ViewState, s: GroupSnapshot, detailed: boolean): string[] {
  const hasLag = s.assignment.some((r) => typeof r.lag === 'number');
  const totalLag = hasLag ? s.assignment.reduce((a, r) => a + (typeof r.lag === 'number' ? r.lag : 0), 0) : 0;
  const state = detailed ? (s.converged ? 'converged' : 'MOVING') : convergenceText(s, 'MOVING');
  return [
    `ringleader watch  group ${s.group}  topic ${s.topic ?? '?'}  ${s.ranges} ranges  epoch ${s.epoch ?? '-'}  leader ${s.leader ?? '(none)'}`,
    `${state}  ${v.rate === null ? '' : `${Math.round(v.rate)} msg/s committed  `}${hasLag ? `lag ${totalLag}  ` : ''}${v.connection !== 'connected' ? `ZooKeeper ${v.connection}` : ''}`.trimEnd(),
  ];
}

/** One symbol per range (its lease holder; '_' waiting, '~' held by the poller it moves from, '.' unassigned) and one row per poller. */
function fullBody(s: GroupSnapshot, width: number): string[] {
  const symbolOf = new Map<string, string>();
  s.pollers.forEach((p, i) => symbolOf.set(p.id, SYMBOLS[i % SYMBOLS.length]!));
  let ring = '';
  for (const r of s.assignment) {
    if (r.owner === null) ring += r.assigned === null ? '.' : '_';
    else ring += r.owner === r.assigned ? (symbolOf.get(r.owner) ?? '?') : '~';
  }
  const out = ['ring   (one symbol per range: its lease holder; _ waiting, ~ held by a poller it is moving from)'];
  const perLine = Math.max(16, Math.min(width - 8, 128));
  for (let i = 0; i < ring.length; i += perLine) out.push(`  ${String(i).padStart(4)} ${ring.slice(i, i + perLine)}`);
  out.push('');
  out.push('   POLLER                   STATE     WEIGHT  RANGES  LAG');
  const hasLag = s.assignment.some((r) => typeof r.lag === 'number');
  for (const p of s.pollers) {
    const lag = s.assignment.filter((r) => r.owner === p.id).reduce((a, r) => a + (typeof r.lag === 'number' ? r.lag : 0), 0);
    out.push(` ${symbolOf.get(p.id)} ${p.id.padEnd(24)} ${pollerState(p).padEnd(9)} ${String(p.weight).padEnd(7)} ${String(p.ranges.length).padEnd(7)} ${hasLag ? lag : '-'}`);
  }
  if (!s.pollers.length) out.push('   (no pollers)');
  out.push(...unhealthyLines(s.pollers, 5).map((l) => `   ${l}`));
  for (const p of s.problems) out.push(`PROBLEM ${p.path}: ${p.error}`);
  return out;
}
