import { assignable, type GroupSnapshot, type PollerView } from '../../coordinator/index.js';

/**
 * A poller's held ranges against its fair share: ranges x weight / the
 * weight of the pollers the leader assigns to (active and healthy, or every
 * active one when none is healthy); 0 for the others.
 */
export interface PollerLoad {
  poller: PollerView;
  held: number;
  fair: number;
}

export interface PollerSpread {
  active: number;
  draining: number;
  /** Active pollers marked unhealthy (their fair share is 0 while healthy ones exist). */
  unhealthy: PollerView[];
  /** Ranges the draining pollers still hold. */
  drainingHeld: number;
  /** Ranges held per active poller (null without active pollers). */
  held: { min: number; median: number; mean: number; max: number } | null;
  /** Active pollers, and draining ones still holding ranges: the furthest above their fair share first. */
  byExcess: PollerLoad[];
  /** Active pollers only, for the histogram. */
  activeLoads: PollerLoad[];
}

export function pollerLoads(s: GroupSnapshot): PollerLoad[] {
  const shared = new Set(assignable(s.pollers));
  const weight = [...shared].reduce((a, p) => a + p.weight, 0);
  return s.pollers.map((p) => ({
    poller: p,
    held: p.ranges.length,
    fair: shared.has(p) && weight > 0 ? (s.ranges * p.weight) / weight : 0,
  }));
}

export function pollerSpread(s: GroupSnapshot): PollerSpread {
  const loads = pollerLoads(s);
  const activeLoads = loads.filter((l) => l.poller.state === 'active');
  const draining = loads.filter((l) => l.poller.state === 'draining');
  return {
    active: activeLoads.length,
    draining: draining.length,
    unhealthy: s.pollers.filter((p) => p.state === 'active' && p.unhealthy !== undefined),
    drainingHeld: draining.reduce((a, l) => a + l.held, 0),
    held: heldStats(activeLoads.map((l) => l.held)),
    byExcess: loads.filter((l) => l.fair > 0 || l.held > 0).sort((a, b) => b.held - b.fair - (a.held - a.fair) || a.poller.id.localeCompare(b.poller.id)),
    activeLoads,
  };
}

function heldStats(counts: number[]): PollerSpread['held'] {
  if (!counts.length) return null;
  const sorted = counts.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    min: sorted[0]!,
    median: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2,
    mean: sorted.reduce((a, n) => a + n, 0) / sorted.length,
    max: sorted[sorted.length - 1]!,
  };
}

export interface Bucket {
  from: number;
  to: number;
  pollers: number;
}

/** Held-range counts in at most `buckets` equal-width buckets from min to max. */
export function heldHistogram(loads: readonly PollerLoad[], min: number, max: number, buckets: number): Bucket[] {
  const size = Math.max(1, Math.ceil((max - min + 1) / buckets));
  const out: Bucket[] = [];
  for (let from = min; from <= max; from += size) out.push({ from, to: Math.min(max, from + size - 1), pollers: 0 });
  for (const l of loads) out[Math.floor((l.held - min) / size)]!.pollers++;
  return out;
}
