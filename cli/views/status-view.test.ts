import { describe, it, expect } from 'vitest';
import { formatStatus, formatStatusSummary } from './status-view.js';
import { ringStrip, stripAxis } from './ring-strip.js';
import { countRangeStates } from './range-states.js';
import { lagSummary } from './top-lags.js';
import { statusJson } from '../actions/status.js';
import { syntheticSnapshot } from '../../test/support/synthetic-group.js';

const R = 65_536;
const CELL = R / 64;
// Cell 16 has moving ranges, cells 40 and 41 unowned ones (waiting); the two last pollers drain.
const big = syntheticSnapshot({
  pollers: 1000,
  ranges: R,
  draining: 2,
  moving: [16 * CELL, 16 * CELL + 100],
  waiting: [40 * CELL + 10, 41 * CELL + 5],
  lag: (r) => (r === 12_345 ? 900_000 : r === 777 ? 800_000 : r % 100),
});

describe('status summary of 1,000 pollers and 65,536 ranges', () => {
  const text = formatStatus(big, { layout: 'auto', top: 10 });
  const lines = text.split('\n');

  it('fits a screen', () => {
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(140);
  });

  it('counts ranges by state in the header and the ranges line', () => {
    const waiting = CELL - 5;
    expect(lines[0]).toBe(`group orders-g  topic orders  ranges ${R}  epoch 42  leader p-0000  NOT converged: ${waiting} unowned, 100 held off-assignment (100 moving)`);
    expect(text).toContain(`ranges   ${R - 100 - waiting} as assigned (98.2%)  100 moving  ${waiting} waiting  0 unassigned`);
  });

  it('draws the ring as a strip that marks where the moving and unowned ranges are', () => {
    const strip = lines.find((l) => l.startsWith('ring     0 '))!.slice('ring     0 '.length, 'ring     0 '.length + 64);
    expect(strip).toBe(`${'#'.repeat(16)}~${'#'.repeat(23)}__${'#'.repeat(22)}`);
    expect(text).toContain('each cell 1024 ranges');
    expect(text).toMatch(/\|16384 +\|32768 +\|49152/);
  });

  it('summarises pollers: states, ranges per poller, the furthest from their share, a histogram', () => {
    expect(text).toMatch(/^pollers  1000: 998 active, 2 draining \(holding 0\)  ranges held per active poller: min 6[45]  median 6[45]  mean [\d.]+  max 6[56]$/m);
    const least = lines.find((l) => l.startsWith('  least'))!;
    for (const [, held, fair] of least.matchAll(/p-\d{4} (\d+) \(fair ([\d.]+)\)/g)) expect(Number(held)).toBeLessThan(Number(fair));
    const stuck = { ...big, pollers: big.pollers.map((p) => (p.id === 'p-0999' ? { ...p, ranges: Array.from({ length: 100 }, (_, i) => i) } : p)) };
    expect(formatStatusSummary(stuck, 10)).toMatch(/^ {2}most {3}p-0999 100 \(fair 0, draining\)/m);
    const histogram = lines.filter((l) => /^ {2}(held| {4}) {2}\s*\d+(-\d+)? +\d+( #+)?$/.test(l));
    expect(histogram.length).toBeGreaterThan(1);
    expect(histogram.reduce((a, l) => a + Number(/ (\d+) #/.exec(l)![1]), 0)).toBe(998);
  });

  it('lists the largest lags, largest first', () => {
    expect(text).toMatch(/lag {6}total \d+ over 65536 ranges with known lag; the 10 largest:/);
    const rows = lines.filter((l) => /^ {2}\d+ /.test(l));
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatch(/^ {2}12345 .* 900000$/);
    expect(rows[1]).toMatch(/^ {2}777 .* 800000$/);
  });

  it('--top changes how many lags are listed; without end offsets lag is unknown', () => {
    expect(formatStatusSummary(big, 3).split('\n').filter((l) => /^ {2}\d+ /.test(l))).toHaveLength(3);
    const noLag = syntheticSnapshot({ pollers: 1000, ranges: R });
    expect(formatStatusSummary(noLag, 10)).toContain('lag      unknown (--brokers adds end offsets and lag)');
    expect(formatStatusSummary(noLag, 10).split('\n')[0]).toMatch(/converged$/);
  });

  it('--full still prints one row per poller and per range', () => {
    const full = formatStatus(big, { layout: 'full', top: 10 }).split('\n');
    expect(full.filter((l) => /^p-\d{4} /.test(l))).toHaveLength(1000);
    expect(full.filter((l) => /^\d+ +p-/.test(l))).toHaveLength(R);
  });

  it('--json stays complete', () => {
    const json = statusJson(big) as { pollers: unknown[]; assignment: unknown[] };
    expect(json.pollers).toHaveLength(1000);
    expect(json.assignment).toHaveLength(R);
  });
});

describe('status of a small group', () => {
  const small = syntheticSnapshot({ pollers: 3, ranges: 8, waiting: [2, 3], lag: () => 1 });

  it('keeps the full tables by default', () => {
    const text = formatStatus(small, { layout: 'auto', top: 10 });
    expect(text).toMatch(/^POLLER +HOST/m);
    expect(text.split('\n').filter((l) => /^\d+ +p-/.test(l))).toHaveLength(8);
    expect(text).toMatch(/^2 +p-\d{4} +- +20 +21 +1$/m);
  });

  it('prints the summary when asked', () => {
    const text = formatStatus(small, { layout: 'summary', top: 10 });
    expect(text).not.toMatch(/^POLLER/m);
    expect(text).toContain('ring     0 ##_##### 7');
    expect(text).toContain('each cell one range');
  });

  it('marks unhealthy pollers, says why, counts them, gives them no fair share, and keeps the mark in --json', () => {
    const mark = { reason: 'handler-stall' as const, since: '2026-01-01T10:00:05.000Z', detail: 'handler refused every call for 20 s: ECONNREFUSED' };
    const sick = { ...small, pollers: small.pollers.map((p, i) => (i === 0 ? { ...p, unhealthy: mark } : p)) };
    const full = formatStatus(sick, { layout: 'full', top: 10 });
    expect(full).toMatch(/^p-0000 +host-0 +\d+ +1 +unhealthy /m);
    expect(full).toContain('p-0000 unhealthy since 10:00:05: handler-stall (handler refused every call for 20 s: ECONNREFUSED)');
    const summary = formatStatus(sick, { layout: 'summary', top: 10 });
    expect(summary).toMatch(/^pollers  3: 3 active \(1 unhealthy\)/m);
    expect(summary).toContain('  p-0000 unhealthy since 10:00:05: handler-stall');
    expect(summary).toMatch(/p-0000 \d+ \(fair 0\)/);
    const json = statusJson(sick) as { pollers: { id: string; unhealthy?: unknown }[] };
    expect(json.pollers[0]!.unhealthy).toEqual(mark);
    expect(json.pollers[1]).not.toHaveProperty('unhealthy');
  });

  it('lists problems, at most five, then how many more', () => {
    const problems = Array.from({ length: 7 }, (_, i) => ({ path: `/ringleader/g/pollers/x${i}`, error: 'not JSON' }));
    const text = formatStatusSummary({ ...small, problems }, 10);
    expect(text.split('\n').filter((l) => l.startsWith('problem: '))).toHaveLength(5);
    expect(text).toContain('... 2 more problem(s)');
  });
});

describe('ring strip', () => {
  const row = (assigned: string | null, owner: string | null) => ({ range: 0, assigned, owner, committed: null });

  it('shows the least settled state of each cell', () => {
    const rows = [row('a', 'a'), row('a', 'b'), row('a', null), row(null, null), row('a', 'a'), row(null, 'a'), row('a', 'a'), row('b', 'b')];
    expect(ringStrip(rows, 64)).toBe('#~_.#.##');
    expect(ringStrip(rows, 4)).toBe('~..#');
    expect(countRangeStates(rows)).toEqual({ settled: 4, moving: 1, waiting: 1, unassigned: 2, heldUnassigned: 1 });
  });

  it('labels ticks with the first range of their cell, skipping labels that would overlap', () => {
    expect(stripAxis(65_536, 64, 2)).toBe('  |0              |16384          |32768          |49152');
    expect(stripAxis(10_000_000, 64, 0, 4)).not.toMatch(/\d\|/);
  });
});

describe('largest lags', () => {
  it('keeps the top N above 0 in one pass, ties in range order', () => {
    const rows = [5, 9, 1, 9, 7, 0].map((lag, range) => ({ range, assigned: 'a', owner: 'a', committed: '0', end: '9', lag }));
    expect(lagSummary(rows, 3)!.top.map((r) => r.range)).toEqual([1, 3, 4]);
    expect(lagSummary(rows, 0)).toEqual({ known: 6, total: 31, top: [] });
    expect(lagSummary(rows, 10)!.top.map((r) => r.range)).toEqual([1, 3, 4, 0, 2]);
    expect(lagSummary([{ range: 0, assigned: null, owner: null, committed: null }], 3)).toBeNull();
  });
});

describe('producers that follow the group', () => {
  const base = syntheticSnapshot({ ranges: 8, pollers: 2 });
  const producer = (id: string, ranges: number) => ({ id, host: 'h', pid: 1, ranges, startedAt: '2026-01-01T00:00:00Z' });

  it('are counted by the range count they send with, in the full tables and the summary', () => {
    const s = { ...base, producers: [producer('b', 8), producer('a', 8), producer('c', 16)] };
    const line = 'producers: 3 following the group (2 with R=8, 1 with R=16): a, b, c';
    expect(formatStatus(s, { layout: 'full', top: 5 })).toContain(line);
    expect(formatStatusSummary(s, 5)).toContain(line);
  });

  it('take no line when there are none, and list at most five ids', () => {
    expect(formatStatus({ ...base, producers: [] }, { layout: 'full', top: 5 })).not.toContain('producers:');
    const many = { ...base, producers: Array.from({ length: 7 }, (_, i) => producer(`p${i}`, 8)) };
    expect(formatStatus(many, { layout: 'full', top: 5 })).toContain('p0, p1, p2, p3, p4, ... (2 more)');
  });
});

describe('a resize under way and the last split', () => {
  const base = syntheticSnapshot({ ranges: 8, pollers: 2 });
  const producer = (id: string, pausedFor?: string) => ({ id, host: 'h', pid: 1, ranges: 4, startedAt: 's', ...(pausedFor ? { pausedFor } : {}) });
  const marker = { id: 'r1', from: 4, to: 8, host: 'box', pid: 9, startedAt: '2026-12-02T12:00:00Z' };

  it('say who has paused for the cut-over and who is awaited', () => {
    const pollers = base.pollers.map((p, i) => (i === 0 ? { ...p, pausedFor: 'r1' } : p));
    const s = { ...base, resize: marker, producers: [producer('b', 'r1'), producer('a'), producer('c', 'old')], pollers };
    const waitingPoller = base.pollers[1]!.id;
    const line = `resize under way: 4 -> 8 ranges since 2026-12-02T12:00:00Z (pid 9 on box); producers paused 1 of 3, waiting for a, c; pollers paused 1 of 2, waiting for ${waitingPoller}`;
    expect(formatStatus(s, { layout: 'full', top: 5 })).toContain(line);
    expect(formatStatusSummary(s, 5)).toContain(line);
    expect(statusJson(s).resize).toEqual(marker);
    const read = { ...s, resize: { ...marker, ends: ['10', '50', '5', '7'] } };
    expect(formatStatus(read, { layout: 'full', top: 5 })).toContain(`${line}; split points read: pollers go on below them`);
  });

  it('name the old partitions still draining and the new ranges waiting behind them, until all have passed', () => {
    const parents = [
      { partition: 0, splitAt: 10, committed: 10, remaining: 0 },
      { partition: 1, splitAt: 50, committed: 20, remaining: 30 },
      { partition: 2, splitAt: 5, committed: 9, remaining: 0 },
      { partition: 3, splitAt: 7, committed: 0, remaining: 7 },
    ];
    const s = { ...base, split: { from: 4, to: 8, parents } };
    expect(formatStatus(s, { layout: 'full', top: 5 })).toContain(
      'split 4 -> 8: old partitions draining to their split point: 1 (30 to go), 3 (7 to go); new ranges waiting behind them: 2, 3, 6, 7',
    );
    expect(statusJson(s).split).toEqual({ from: 4, to: 8, parents });
    const done = { ...base, split: { from: 4, to: 8, parents: parents.map((p) => ({ ...p, remaining: 0 })) } };
    expect(formatStatusSummary(done, 5)).toContain('split 4 -> 8: every new range has passed its order barrier');
    expect(formatStatus(base, { layout: 'full', top: 5 })).not.toMatch(/split|resize/);
  });
});
