import { describe, expect, it } from 'vitest';
import { assign } from './assign.js';
import { RingError } from './errors.js';
import type { Member } from './types.js';
import { whatIf } from './what-if.js';

const members: Member[] = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, weight: 1 }));
const owners = assign({ ranges: 64, members });

describe('whatIf()', () => {
  it('a join moves the newcomer its quota, all from others, and leaves the input untouched', () => {
    const copy = owners.slice();
    const result = whatIf({ owners, members, change: { kind: 'join', id: 'new' } });
    // 64/9 = 7.11 each; the one leftover range stays with an incumbent.
    expect(result.quotas.get('new')).toBe(7);
    expect(result.moves).toHaveLength(7);
    expect(result.moves.every((m) => m.to === 'new' && m.from !== 'new')).toBe(true);
    expect(result.owners).toEqual(assign({ ranges: 64, members: result.members, previous: owners }));
    expect(owners).toEqual(copy);
  });

  it('a leave moves exactly the leaver ranges', () => {
    const result = whatIf({ owners, members, change: { kind: 'leave', id: 'p3' } });
    expect(result.moves.map((m) => m.range)).toEqual(owners.flatMap((o, r) => (o === 'p3' ? [r] : [])));
    expect(result.members.map((m) => m.id)).not.toContain('p3');
  });

  it('a weight change moves ranges toward the heavier member', () => {
    const result = whatIf({ owners, members, change: { kind: 'weight', id: 'p0', weight: 2 } });
    // 64*2/9 = 14.22 has the largest remainder, so p0 gets the leftover: 15, up from 8.
    expect(result.quotas.get('p0')).toBe(15);
    expect(result.moves).toHaveLength(7);
    expect(result.moves.every((m) => m.to === 'p0')).toBe(true);
  });

  it('rejects changes that make no sense', () => {
    expect(() => whatIf({ owners, members, change: { kind: 'join', id: 'p1' } })).toThrow(/already a member/);
    expect(() => whatIf({ owners, members, change: { kind: 'leave', id: 'zz' } })).toThrow(RingError);
    expect(() => whatIf({ owners, members, change: { kind: 'weight', id: 'p1', weight: 0 } })).toThrow(/weight 0/);
  });
});
