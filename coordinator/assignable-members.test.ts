import { describe, expect, it } from 'vitest';
import { assignableMembers } from './assignable-members.js';
import type { MemberInfo } from './znodes.js';

const member = (id: string, extra: Partial<MemberInfo> = {}): MemberInfo => ({
  id,
  host: 'h',
  pid: 1,
  weight: 1,
  state: 'active',
  startedAt: '2026-01-01T00:00:00Z',
  ...extra,
});
const sick = { unhealthy: { reason: 'fetch-stall' as const, since: '2026-01-01T00:00:00Z', detail: 'no broker' } };

describe('assignableMembers', () => {
  it('leaves out draining and unhealthy members', () => {
    const got = assignableMembers([member('a'), member('b', { state: 'draining' }), member('c', sick), member('d', { weight: 2 })]);
    expect(got).toEqual([
      { id: 'a', weight: 1 },
      { id: 'd', weight: 2 },
    ]);
  });

  it('keeps every active member when none is healthy, so ranges stay owned', () => {
    const got = assignableMembers([member('a', sick), member('b', { state: 'draining' }), member('c', sick)]);
    expect(got.map((m) => m.id)).toEqual(['a', 'c']);
  });

  it('never gives ranges to a draining member, healthy or not', () => {
    expect(assignableMembers([member('a', { state: 'draining' })])).toEqual([]);
  });
});
