import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandledRecord } from '../../poller/handlers/handled-record.js';
import { RecordTally } from './records.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const line = (id: number, key: string, seq: number, poller: string) => {
  const r: HandledRecord = { poller, inc: 0, pid: 1, range: 0, offset: id, key, id, seq, start: 0, end: 1, attempt: 1 };
  return `${JSON.stringify(r)}\n`;
};

describe('RecordTally', () => {
  it('counts distinct, duplicates, lost ids and per-poller order across partial appends', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tally-'));
    dirs.push(dir);
    const a = join(dir, 'a.records');
    const b = join(dir, 'b.records');
    const t = new RecordTally();
    t.follow('a', a);
    t.follow('b', b);
    t.poll(); // files do not exist yet
    appendFileSync(a, line(0, 'k0', 0, 'a') + line(1, 'k1', 0, 'a'));
    const half = line(2, 'k0', 1, 'a');
    appendFileSync(a, half.slice(0, 10));
    t.poll();
    expect(t.distinct).toBe(2);
    appendFileSync(a, half.slice(10));
    appendFileSync(b, line(1, 'k1', 0, 'b') + line(4000, 'k0', 2, 'b'));
    t.poll();
    expect(t.distinct).toBe(4);
    expect(t.duplicates).toBe(1);
    expect(t.lost(5)).toEqual([3, 4]);
    expect(t.handledOf(3)).toBe(3);
    expect(t.orderViolations).toBe(0);
    appendFileSync(a, line(5, 'k0', 0, 'a')); // k0 went back in a's own file
    t.poll();
    expect(t.orderViolations).toBe(1);
    expect(t.perPoller()).toEqual([{ poller: 'a', handled: 4 }, { poller: 'b', handled: 2 }]);
  });
});
