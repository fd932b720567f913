import { describe, it, expect } from 'vitest';
import { GroupEventDiffer } from './group-events.js';
import type { GroupSnapshot } from './group-snapshot.js';

function snap(over: Partial<GroupSnapshot> & { owners: (string | null)[]; assigned: (string | null)[] }): GroupSnapshot {
  const { owners, assigned, ...rest } = over;
  const pollerIds = [...new Set([...owners, ...assigned].filter((x): x is string => !!x))];
  return {
    group: 'g',
    topic: 't',
    ranges: owners.length,
    epoch: 1,
    leader: 'p1',
    pollers: pollerIds.map((id) => ({ id, host: 'h', pid: 1, weight: 1, state: 'active' as const, ranges: [] })),
    assignment: owners.map((o, r) => ({ range: r, owner: o, assigned: assigned[r] ?? null, committed: null })),
    converged: owners.every((o, r) => o !== null && o === assigned[r]),
    problems: [],
    assignmentAt: new Date(1000).toISOString(),
    reason: null,
    ...rest,
  };
}

describe('GroupEventDiffer', () => {
  it('reports leader, joins, assignment, releases before acquisitions, then convergence', () => {
    const d = new GroupEventDiffer();
    const first = d.next(snap({ owners: ['p1', 'p1'], assigned: ['p1', 'p1'] }), 1000);
    expect(first.map((e) => e.type)).toEqual(['leader', 'joined', 'assignment', 'acquired', 'acquired', 'converged']);

    const moving = d.next(
      snap({ epoch: 2, owners: [null, 'p1'], assigned: ['p2', 'p1'], assignmentAt: new Date(2000).toISOString() }),
      2050,
    );
    expect(moving.map((e) => e.type)).toEqual(['joined', 'assignment', 'released']);
    const assignment = moving.find((e) => e.type === 'assignment');
    expect(assignment).toMatchObject({ epoch: 2, moves: [{ range: 0, from: 'p1', to: 'p2' }] });

    const done = d.next(snap({ epoch: 2, owners: ['p2', 'p1'], assigned: ['p2', 'p1'], assignmentAt: new Date(2000).toISOString() }), 2100);
    expect(done).toEqual([
      { type: 'acquired', at: new Date(2100).toISOString(), range: 0, poller: 'p2', pausedMs: 50, from: 'p1', unservedMs: 50, since: 'release' },
      { type: 'converged', at: new Date(2100).toISOString(), epoch: 2, ms: 100 },
    ]);
    expect(d.next(snap({ epoch: 2, owners: ['p2', 'p1'], assigned: ['p2', 'p1'] }), 2200)).toEqual([]);
  });

  it('says why a poller left', () => {
    const d = new GroupEventDiffer();
    const base = snap({ owners: ['p1', 'p2'], assigned: ['p1', 'p2'] });
    base.pollers[1]!.state = 'draining';
    d.next(base, 0);
    const gone = snap({ owners: ['p1', null], assigned: ['p1', 'p1'] });
    gone.pollers = gone.pollers.filter((p) => p.id === 'p1');
    const events = d.next(gone, 10);
    expect(events.find((e) => e.type === 'left')).toMatchObject({ poller: 'p2', reason: 'drained' });
  });

  it('reports a malformed znode once', () => {
    const d = new GroupEventDiffer();
    const s = snap({ owners: ['p1'], assigned: ['p1'], problems: [{ path: '/x', error: 'bad' }] });
    expect(d.next(s, 0).filter((e) => e.type === 'problem')).toHaveLength(1);
    expect(d.next(s, 1).filter((e) => e.type === 'problem')).toHaveLength(0);
  });

  it('says when a poller turns unhealthy (and why) and when it is healthy again, once each', () => {
    const d = new GroupEventDiffer();
    d.next(snap({ owners: ['p1', 'p2'], assigned: ['p1', 'p2'] }), 0);
    const sick = snap({ owners: ['p1', 'p2'], assigned: ['p1', 'p2'] });
    const mark = { reason: 'fetch-stall' as const, since: '2026-01-01T10:00:00.000Z', detail: 'no Kafka broker answered for 20 s' };
    sick.pollers[1]!.unhealthy = mark;
    expect(d.next(sick, 10)).toEqual([{ type: 'unhealthy', at: new Date(10).toISOString(), poller: 'p2', ...mark }]);
    expect(d.next(sick, 20)).toEqual([]);
    expect(d.next(snap({ owners: ['p1', 'p2'], assigned: ['p1', 'p2'] }), 30)).toEqual([{ type: 'healthy', at: new Date(30).toISOString(), poller: 'p2' }]);
  });

  describe('unserved time of an acquisition', () => {
    const T = Date.parse('2026-01-01T10:00:00.000Z');
    const iso = (ms: number) => new Date(T + ms).toISOString();
    function held(row: { committedAt?: string; committedBy?: string; ownerSince?: string }) {
      const s = snap({ owners: ['p1'], assigned: ['p1'] });
      Object.assign(s.assignment[0]!, row);
      return s;
    }
    function acquiredAfter(first: GroupSnapshot) {
      const d = new GroupEventDiffer();
      d.next(first, T);
      d.next(snap({ owners: [null], assigned: ['p2'] }), T + 5_000);
      return d.next(snap({ owners: ['p2'], assigned: ['p2'] }), T + 5_060).find((e) => e.type === 'acquired');
    }

    it("counts from the old owner's last commit when it committed after taking the lease", () => {
      expect(acquiredAfter(held({ committedAt: iso(800), committedBy: 'p1', ownerSince: iso(100) }))).toMatchObject({
        from: 'p1',
        pausedMs: 60,
        unservedMs: 4_260,
        since: 'last-commit',
      });
    });

    it('counts from the lease when the last commit is older or another poller\'s', () => {
      expect(acquiredAfter(held({ committedAt: iso(50), committedBy: 'p1', ownerSince: iso(100) }))).toMatchObject({ unservedMs: 4_960, since: 'lease-taken' });
      expect(acquiredAfter(held({ committedAt: iso(900), committedBy: 'p0', ownerSince: iso(100) }))).toMatchObject({ unservedMs: 4_960, since: 'lease-taken' });
    });

    it('counts from the release when ZooKeeper recorded no activity of the old owner, or it lies in the future of our clock', () => {
      expect(acquiredAfter(held({}))).toMatchObject({ from: 'p1', unservedMs: 60, since: 'release' });
      expect(acquiredAfter(held({ committedAt: iso(5_050), committedBy: 'p1', ownerSince: iso(100) }))).toMatchObject({ unservedMs: 60, since: 'release' });
    });
  });
});

describe('GroupEventDiffer: resizes', () => {
  const marker = (id: string) => ({ id, from: 2, to: 4, host: 'h', pid: 1, startedAt: 'x' });
  const parents = (remaining: number[]) => remaining.map((r, partition) => ({ partition, splitAt: 10, committed: 10 - r, remaining: r }));
  const types = (es: { type: string }[]) => es.filter((e) => e.type === 'resize' || e.type === 'parent-drained');

  it('say when a resize starts, commits or rolls back, and when each old partition reaches its split point', () => {
    const d = new GroupEventDiffer();
    d.next(snap({ owners: [null, null], assigned: [null, null] }), 1000);
    expect(types(d.next(snap({ owners: [null, null], assigned: [null, null], resize: marker('a') }), 1100))).toMatchObject([{ type: 'resize', state: 'started', from: 2, to: 4 }]);
    expect(types(d.next(snap({ owners: [null, null], assigned: [null, null], resize: null }), 1200))).toMatchObject([{ type: 'resize', state: 'rolled-back' }]);
    d.next(snap({ owners: [null, null], assigned: [null, null], resize: marker('b') }), 1300);
    const four = [null, null, null, null];
    expect(types(d.next(snap({ owners: four, assigned: four, resize: null, split: { from: 2, to: 4, parents: parents([0, 5]) } }), 1400))).toMatchObject([
      { type: 'resize', state: 'committed', from: 2, to: 4 },
      { type: 'parent-drained', partition: 0, splitAt: 10 },
    ]);
    expect(types(d.next(snap({ owners: four, assigned: four, split: { from: 2, to: 4, parents: parents([0, 2]) } }), 1500))).toEqual([]);
    expect(types(d.next(snap({ owners: four, assigned: four, split: { from: 2, to: 4, parents: parents([0, 0]) } }), 1600))).toMatchObject([{ type: 'parent-drained', partition: 1 }]);
  });

  it('say nothing of a split drained before watch began', () => {
    const d = new GroupEventDiffer();
    const four = [null, null, null, null];
    expect(types(d.next(snap({ owners: four, assigned: four, split: { from: 2, to: 4, parents: parents([0, 0]) } }), 1000))).toEqual([]);
  });
});
