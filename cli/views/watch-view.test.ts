import { describe, it, expect } from 'vitest';
import { renderView, describeEvent, rememberEvent, committedTotal } from './watch-view.js';
import type { GroupEvent, GroupSnapshot } from '../../coordinator/index.js';
import { compactRanges } from './status-table.js';
import { EventLines } from './event-lines.js';
import { syntheticSnapshot } from '../../test/support/synthetic-group.js';

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
    expect(describeEvent({ type: 'acquired', at, range: 4, poller: 'p3', pausedMs: 63, from: 'p1', unservedMs: 4712, since: 'last-commit' })).toBe(
      "10:00:00.000 acquired      range 4 by p3 after 4712 ms unserved since p1's last commit (released 63 ms before)",
    );
    expect(describeEvent({ type: 'acquired', at, range: 4, poller: 'p3', pausedMs: 63, from: 'p1', unservedMs: 63, since: 'release' })).toContain(
      "range 4 by p3 after 63 ms unserved since p1's release",
    );
    expect(describeEvent({ type: 'unhealthy', at, poller: 'p2', reason: 'handler-stall', detail: 'handler refused every call for 20 s: ECONNREFUSED', since: at })).toBe(
      '10:00:00.000 unhealthy     p2 (handler-stall: handler refused every call for 20 s: ECONNREFUSED); its ranges go to healthy pollers',
    );
    expect(describeEvent({ type: 'healthy', at, poller: 'p2' })).toContain('healthy       p2 again');
  });

  it('marks an unhealthy poller in its row and says why below the table', () => {
    const sick: GroupSnapshot = {
      ...snapshot,
      pollers: [{ ...snapshot.pollers[0]!, unhealthy: { reason: 'fetch-stall', since: '2026-01-01T10:00:02.000Z', detail: 'no Kafka broker answered for 20 s' } }, snapshot.pollers[1]!],
    };
    const text = renderView({ snapshot: sick, events: [], rate: null, connection: 'connected', width: 100 });
    expect(text).toMatch(/A p1\s+unhealthy/);
    expect(text).toContain('p1 unhealthy since 10:00:02: fetch-stall (no Kafka broker answered for 20 s)');
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

describe('watch live view of 1,000 pollers and 65,536 ranges', () => {
  const R = 65_536;
  const big = syntheticSnapshot({ pollers: 1000, ranges: R, moving: [0, 50], waiting: [R - 30, R], lag: (r) => r % 7 });
  const at = '2026-01-01T10:00:01.250Z';
  const events: GroupEvent[] = [{ type: 'assignment', at: '2026-01-01T10:00:01.000Z', epoch: 42, moves: [] }];
  for (let r = 0; r < 50; r++) events.push({ type: 'released', at, range: r, poller: 'p-0001' });
  for (let r = 0; r < 3000; r++) events.push({ type: 'acquired', at, range: r, poller: `p-${String(r % 400).padStart(4, '0')}`, pausedMs: r % 300 });
  const log = EventLines.of(events);

  it('draws the summary and the recent events within 40 lines', () => {
    const text = renderView({ snapshot: big, events: [], log, rate: 41_234, connection: 'connected', width: 120 });
    const lines = text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toBe(`ringleader watch  group orders-g  topic orders  ${R} ranges  epoch 42  leader p-0000`);
    expect(lines[1]).toBe('MOVING: 30 unowned, 50 held off-assignment (50 moving)  41234 msg/s committed  lag 196603');
    expect(text).toMatch(/^ring {5}0 ~#{62}_ 65535$/m);
    expect(text).toContain('pollers  1000: 1000 active');
    expect(lines.filter((l) => /^ {2}\d+ +p-/.test(l))).toHaveLength(5);
    expect(lines.slice(-3)).toEqual([
      '  10:00:01.000 assignment    epoch 42: 0 range(s) move',
      '  10:00:01.250 released      50 ranges by p-0001 (0-7,...)',
      '  10:00:01.250 acquired      3000 ranges by 400 pollers (0-7,...) after up to 299 ms paused',
    ]);
  });

  it('narrows the strip on a narrow terminal and can show the summary for a small group', () => {
    const narrow = renderView({ snapshot: big, events: [], rate: null, connection: 'expired', width: 60 });
    expect(narrow).toMatch(/^ring {5}0 ~#{38}_ 65535$/m);
    expect(narrow.split('\n')[1]).toMatch(/ZooKeeper expired$/);
    const summary = renderView({ snapshot, events: [], rate: null, connection: 'connected', width: 100, layout: 'summary' });
    expect(summary).toContain('ring     0 ##~_ 3');
    expect(summary).not.toMatch(/A p1\s+active/);
  });
});

describe('recent event lines', () => {
  it('merge the acquisitions of one refresh, and keep single ones as they were', () => {
    const at = '2026-01-01T10:00:00.000Z';
    const lines = EventLines.of([
      { type: 'acquired', at, range: 3, poller: 'p2', pausedMs: 40 },
      { type: 'acquired', at: '2026-01-01T10:00:01.000Z', range: 4, poller: 'p2', pausedMs: null },
      { type: 'acquired', at: '2026-01-01T10:00:01.000Z', range: 5, poller: 'p2', pausedMs: null },
      { type: 'joined', at, poller: 'p3' },
      { type: 'acquired', at: '2026-01-01T10:00:02.000Z', range: 6, poller: 'p3', pausedMs: 20, from: 'p1', unservedMs: 4000, since: 'last-commit' },
      { type: 'acquired', at: '2026-01-01T10:00:02.000Z', range: 7, poller: 'p3', pausedMs: 30, from: 'p1', unservedMs: 3000, since: 'last-commit' },
    ]).latest(10);
    expect(lines).toEqual([
      '10:00:00.000 acquired      range 3 by p2 after 40 ms paused',
      '10:00:01.000 acquired      2 ranges by p2 (4-5)',
      '10:00:00.000 joined        p3',
      '10:00:02.000 acquired      2 ranges by p3 (6-7) after up to 4000 ms unserved',
    ]);
  });

  it('keep a bounded number of lines', () => {
    const log = new EventLines(5);
    for (let i = 0; i < 20; i++) log.add({ type: 'joined', at: '2026-01-01T10:00:00.000Z', poller: `p${i}` });
    expect(log.latest(100)).toHaveLength(5);
    expect(log.latest(1)[0]).toContain('p19');
  });
});
