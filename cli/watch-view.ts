import type { GroupSnapshot, GroupEvent } from '../coordinator/index.js';

const SYMBOLS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface ViewState {
  snapshot: GroupSnapshot | null;
  events: GroupEvent[];
  /** Committed messages per second over the last refreshes (null until known). */
  rate: number | null;
  connection: 'connected' | 'disconnected' | 'expired';
  width: number;
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

/** One line per event, for people. */
export function describeEvent(e: GroupEvent): string {
  const t = e.at.slice(11, 23);
  switch (e.type) {
    case 'leader':
      return `${t} leader        ${e.id ?? '(none)'}`;
    case 'joined':
      return `${t} joined        ${e.poller}`;
    case 'left':
      return `${t} left          ${e.poller} (${e.reason})`;
    case 'assignment':
      return `${t} assignment    epoch ${e.epoch}: ${e.moves.length} range(s) move${e.reason ? ` (${e.reason})` : ''}`;
    case 'acquired':
      return `${t} acquired      range ${e.range} by ${e.poller}${e.pausedMs !== null ? ` after ${e.pausedMs} ms paused` : ''}`;
    case 'released':
      return `${t} released      range ${e.range} by ${e.poller}`;
    case 'converged':
      return `${t} converged     epoch ${e.epoch}${e.ms !== null ? ` in ${e.ms} ms` : ''}`;
    case 'problem':
      return `${t} PROBLEM       ${e.path}: ${e.error}`;
  }
}

/**
 * The live view: a header, the ring as one symbol per range (who holds it;
 * '.' free, lower-case '?' held by someone not assigned), pollers with their
 * share, throughput and lag, then recent events. Pure, so it is unit-tested.
 */
export function renderView(v: ViewState): string {
  const s = v.snapshot;
  const out: string[] = [];
  if (!s) return 'ringleader watch: waiting for the group...';
  const totalLag = s.assignment.reduce((a, r) => a + (typeof r.lag === 'number' ? r.lag : 0), 0);
  const hasLag = s.assignment.some((r) => typeof r.lag === 'number');
  out.push(
    `ringleader watch  group ${s.group}  topic ${s.topic ?? '?'}  ${s.ranges} ranges  epoch ${s.epoch ?? '-'}  leader ${s.leader ?? '(none)'}`,
  );
  out.push(
    `${s.converged ? 'converged' : 'MOVING'}  ${v.rate === null ? '' : `${Math.round(v.rate)} msg/s committed  `}${hasLag ? `lag ${totalLag}  ` : ''}${v.connection !== 'connected' ? `ZooKeeper ${v.connection}` : ''}`.trimEnd(),
  );
  out.push('');
  const symbolOf = new Map<string, string>();
  s.pollers.forEach((p, i) => symbolOf.set(p.id, SYMBOLS[i % SYMBOLS.length]!));
  let ring = '';
  for (const r of s.assignment) {
    if (r.owner === null) ring += r.assigned === null ? '.' : '_';
    else ring += r.owner === r.assigned ? (symbolOf.get(r.owner) ?? '?') : '~';
  }
  const width = Math.max(16, Math.min(v.width - 8, 128));
  out.push('ring   (one symbol per range: its lease holder; _ waiting, ~ held by a poller it is moving from)');
  for (let i = 0; i < ring.length; i += width) out.push(`  ${String(i).padStart(4)} ${ring.slice(i, i + width)}`);
  out.push('');
  out.push('   POLLER                   STATE     WEIGHT  RANGES  LAG');
  for (const p of s.pollers) {
    const lag = s.assignment.filter((r) => r.owner === p.id).reduce((a, r) => a + (typeof r.lag === 'number' ? r.lag : 0), 0);
    out.push(
      ` ${symbolOf.get(p.id)} ${p.id.padEnd(24)} ${p.state.padEnd(9)} ${String(p.weight).padEnd(7)} ${String(p.ranges.length).padEnd(7)} ${hasLag ? lag : '-'}`,
    );
  }
  if (!s.pollers.length) out.push('   (no pollers)');
  for (const p of s.problems) out.push(`PROBLEM ${p.path}: ${p.error}`);
  out.push('');
  out.push('recent events');
  for (const e of v.events.slice(-12)) out.push(`  ${describeEvent(e)}`);
  return out.join('\n');
}
