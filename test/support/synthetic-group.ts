import type { GroupSnapshot, RangeView } from '../../coordinator/index.js';

export interface SyntheticGroup {
  pollers: number;
  ranges: number;
  /** The last `draining` pollers are draining and assigned nothing. */
  draining?: number;
  /** Ranges held by another poller than the one assigned: [first, end). */
  moving?: [number, number];
  /** Ranges assigned but held by nobody: [first, end). */
  waiting?: [number, number];
  /** Lag of each range (undefined: no end offsets, as without --brokers). */
  lag?: (range: number) => number;
}

const id = (i: number) => `p-${String(i).padStart(4, '0')}`;

/** A made-up group snapshot of any size, for rendering tests: ranges scattered over pollers as the hash ring does. */
export function syntheticSnapshot(g: SyntheticGroup): GroupSnapshot {
  const serving = g.pollers - (g.draining ?? 0);
  const inside = (r: number, span?: [number, number]) => span !== undefined && r >= span[0] && r < span[1];
  const assignment: RangeView[] = [];
  for (let r = 0; r < g.ranges; r++) {
    const assigned = id((r * 7919) % serving);
    const owner = inside(r, g.waiting) ? null : inside(r, g.moving) ? id((r * 7919 + 1) % serving) : assigned;
    const row: RangeView = { range: r, assigned, owner, committed: String(r * 10) };
    if (g.lag) Object.assign(row, { end: String(r * 10 + g.lag(r)), lag: g.lag(r) });
    assignment.push(row);
  }
  const held = new Map<string, number[]>();
  for (const row of assignment) if (row.owner) (held.get(row.owner) ?? held.set(row.owner, []).get(row.owner)!).push(row.range);
  const pollers = Array.from({ length: g.pollers }, (_, i) => ({
    id: id(i),
    host: `host-${i % 50}`,
    pid: 1000 + i,
    weight: 1,
    state: i < serving ? ('active' as const) : ('draining' as const),
    ranges: held.get(id(i)) ?? [],
  }));
  const converged = assignment.every((r) => r.owner === r.assigned);
  return { group: 'orders-g', topic: 'orders', ranges: g.ranges, epoch: 42, leader: id(0), pollers, assignment, converged, problems: [] };
}
