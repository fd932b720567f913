// When a fault's effects last, and which faults overlap a span of time: the
// recovery and handoff measures leave out, or explain, the ones that
// overlapped another failure.
import type { FaultEvent } from '../records.js';
import { influenceEnd as plannedEnd } from '../schedule.js';
import type { CheckContext } from './context.js';

/** When a poller first took a range at or after t. */
function firstLeaseAfter(cx: CheckContext, poller: string, t: number): number | undefined {
  return cx.input.history.leases
    .filter((l) => l.poller === poller && l.ctime >= t)
    .reduce<number | undefined>((m, l) => (m === undefined || l.ctime < m ? l.ctime : m), undefined);
}

/** The end of a fault's influence; a new poller matters until it took its first range (it may start slowly), at least for its influence window. */
export function influenceEnd(cx: CheckContext, f: FaultEvent): number {
  const end = plannedEnd(f, cx.input.sessionTimeoutMs);
  return f.kind === 'scale-out' ? Math.max(end, firstLeaseAfter(cx, f.target.split('#')[0] as string, f.at) ?? end) : end;
}

/** Other faults whose influence overlaps [from, to]; slow handlers only when asked (they move no range). */
export function overlapping(cx: CheckContext, self: FaultEvent | null, from: number, to: number, withSlow = false): FaultEvent[] {
  return cx.input.faults.filter((g) => g !== self && (withSlow || g.kind !== 'slow-handler') && g.at <= to && influenceEnd(cx, g) >= from);
}

/** "poller-kill p3#0 at +1200 ms", relative to t. */
export function describeFault(f: FaultEvent, t: number): string {
  return `${f.kind} ${f.target}${f.detail ? ` (${f.detail})` : ''} at ${f.at - t >= 0 ? '+' : ''}${f.at - t} ms`;
}
