import { describe, it, expect } from 'vitest';
import { renderView, describeEvent, rememberEvent, committedTotal } from './watch-view.js';
import type { GroupEvent } from '../coordinator/index.js';
import { compactRanges } from './actions/status.js';
import type { GroupSnapshot } from '../coordinator/index.js';

const snapshot: GroupSnapshot = {
  group: 'orders-g',
  topic: 'orders',
  ranges: 4,
  epoch: 5,
  leader: 'p1',
  pollers: [
    { id: 'p1', host: 'h', pid: 1, weight: 1, state: 'active', ranges: [0, 1] },
    { id: 'p2', host: 'h', pid: 2, weight: 1, state: 'draining', ranges: [2] },
  ],
  assignment: [
    { range: 0, assigned: 'p1', owner: 'p1', committed: '10', end: '12', lag: 2 },
    { range: 1, assigned: 'p1', owner: 'p1', committed: '5', end: '5', lag: 0 },
    { range: 2, assigned: 'p1', owner: 'p2', committed: '7', end: '9', lag: 2 },
    { range: 3, assigned: 'p1', owner: null, committed: null, end: '0', lag: 0 },
  ],
  converged: false,
  problems: [{ path: '/ringleader/g/pollers/x', error: 'poller x: not JSON' }],
};

describe('watch live view', () => {
  it('draws the ring, pollers, lag, problems and recent events', () => {
    const text = renderView({
      snapshot,
      events: [{ type: 'joined', at: '2026-01-01T10:00:00.000Z', poller: 'p2' }],
      rate: 1234.4,
      connection: 'connected',
      width: 100,
    });
    expect(text).toContain('epoch 5');
    expect(text).toContain('leader p1');
    expect(text).toContain('MOVING');
    expect(text).toContain('1234 msg/s');
    expect(text).toContain('lag 4');
    expect(text).toMatch(/\s0 AA~_/);
    expect(text).toMatch(/A p1\s+active/);
    expect(text).toMatch(/B p2\s+draining/);
    expect(text).toContain('PROBLEM /ringleader/g/pollers/x');
    expect(text).toContain('joined        p2');
  });

  it('describes every event kind in one line', () => {
    const at = '2026-01-01T10:00:00.000Z';
    expect(describeEvent({ type: 'acquired', at, range: 3, poller: 'p2', pausedMs: 40 })).toContain('range 3 by p2 after 40 ms paused');
    expect(describeEvent({ type: 'converged', at, epoch: 2, ms: 310 })).toContain('epoch 2 in 310 ms');
    expect(describeEvent({ type: 'left', at, poller: 'p1', reason: 'lost' })).toContain('p1 (lost)');
  });

  it('sums the committed offsets and keeps the 200 latest events', () => {
    expect(committedTotal(snapshot)).toBe(22);
    const events: GroupEvent[] = [];
    for (let i = 0; i < 205; i++) rememberEvent(events, { type: 'joined', at: '2026-01-01T10:00:00.000Z', poller: `p${i}` });
    expect(events).toHaveLength(200);
    expect(events[0]).toMatchObject({ poller: 'p5' });
    expect(events[199]).toMatchObject({ poller: 'p204' });
  });

  it('compacts range lists', () => {
    expect(compactRanges([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
    expect(compactRanges([])).toBe('-');
  });
});
