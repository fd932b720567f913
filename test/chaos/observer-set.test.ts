import { describe, expect, it } from 'vitest';
import { mergeHistories } from './observer-set.js';
import type { History, LeaseObs, OffsetObs } from './zk-observer.js';

const lease = (czxid: number, poller: string, ctime: number, goneAt?: number): LeaseObs => ({
  range: 14, poller, epoch: 1, czxid: BigInt(czxid), ctime, ...(goneAt !== undefined ? { goneAt } : {}),
});
const offset = (mzxid: number, poller: string, value: number): OffsetObs => ({
  range: 14, offset: BigInt(value), poller, epoch: 1, mzxid: BigInt(mzxid), mtime: mzxid, version: mzxid,
});

describe('mergeHistories', () => {
  it('fills one observer\'s blind spell with what another saw (a lease taken and given back while its server was frozen)', () => {
    const blind: History = {
      leases: [lease(10, 'p20', 100, 9_000), lease(40, 'p24', 9_100)],
      offsets: [offset(11, 'p20', 5), offset(41, 'p24', 9)],
      epochs: [{ epoch: 96, leader: 'c1', mtime: 100, owners: [] }, { epoch: 98, leader: 'c1', mtime: 9_000, owners: [] }],
      leaders: [{ leader: 'c1', at: 0 }],
    };
    const seeing: History = {
      leases: [lease(10, 'p20', 100, 6_000), lease(20, 'p19', 6_500, 8_990), lease(40, 'p24', 9_100)],
      offsets: [offset(11, 'p20', 5), offset(21, 'p19', 7), offset(41, 'p24', 9)],
      epochs: [{ epoch: 96, leader: 'c1', mtime: 100, owners: [] }, { epoch: 97, leader: 'c1', mtime: 6_400, owners: [] }, { epoch: 98, leader: 'c1', mtime: 9_000, owners: [] }],
      leaders: [{ leader: 'c1', at: 5 }, { leader: 'c2', at: 7_000 }],
    };
    const h = mergeHistories([blind, seeing]);
    expect(h.leases.map((l) => [l.poller, l.goneAt])).toEqual([['p20', 6_000], ['p19', 8_990], ['p24', undefined]]);
    expect(h.offsets.map((o) => o.offset)).toEqual([5n, 7n, 9n]);
    expect(h.epochs.map((e) => e.epoch)).toEqual([96, 97, 98]);
    expect(h.leaders).toEqual([{ leader: 'c1', at: 0 }, { leader: 'c2', at: 7_000 }]);
  });

  it('keeps a leader that came back under a new candidate node (a restarted coordinator), drops repeats', () => {
    const empty = { leases: [], offsets: [], epochs: [] };
    const a: History = { ...empty, leaders: [{ leader: 'c1', node: 'n_01', at: 0 }, { leader: 'c1', node: 'n_04', at: 5_000 }] };
    const b: History = { ...empty, leaders: [{ leader: 'c1', node: 'n_01', at: 3 }, { leader: 'c1', node: 'n_04', at: 5_010 }] };
    expect(mergeHistories([a, b]).leaders).toEqual([{ leader: 'c1', node: 'n_01', at: 0 }, { leader: 'c1', node: 'n_04', at: 5_000 }]);
  });

  it('keeps the leases and commits of several ranges written by one multi (one zxid)', () => {
    const h = mergeHistories([{
      leases: [lease(50, 'p1', 100), { ...lease(50, 'p1', 100), range: 15 }],
      offsets: [offset(60, 'p1', 3), { ...offset(60, 'p1', 8), range: 15 }],
      epochs: [],
      leaders: [],
    }]);
    expect(h.leases.map((l) => l.range)).toEqual([14, 15]);
    expect(h.offsets.map((o) => [o.range, o.offset])).toEqual([[14, 3n], [15, 8n]]);
  });
});
