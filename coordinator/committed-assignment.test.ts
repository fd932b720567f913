import { describe, expect, it } from 'vitest';
import { CommittedAssignment, type KnownNode } from './committed-assignment.js';
import type { MemberAssignmentNode } from './znodes.js';

const known = (node: MemberAssignmentNode, version = 0): KnownNode => ({ version, node, rewrite: false });
const at = (epoch: number, ranges: number[], prev: { epoch: number; ranges: number[] } = { epoch: 0, ranges: [] }): MemberAssignmentNode => ({ epoch, ranges, prev });

describe('CommittedAssignment', () => {
  it('writes only the pollers whose ranges change, each with what it had as prev', () => {
    const state = new CommittedAssignment(4, 3, 3, new Map([
      ['a', known(at(2, [0, 1]))],
      ['b', known(at(3, [2, 3]))],
    ]));
    expect(state.owners()).toEqual(['a', 'a', 'b', 'b']);
    expect(state.nextEpoch()).toBe(4);
    const writes = state.plan(['a', 'c', 'b', 'b'], 4);
    expect(writes).toEqual([
      { id: 'a', node: at(4, [0], { epoch: 2, ranges: [0, 1] }), version: 0 },
      { id: 'c', node: at(4, [1], { epoch: 0, ranges: [] }), version: null },
    ]);
    state.staged(writes);
    // Staged, not committed: the committed owners have not moved.
    expect(state.owners()).toEqual(['a', 'a', 'b', 'b']);
    state.committed(4);
    expect(state.owners()).toEqual(['a', 'c', 'b', 'b']);
    expect(state.plan(['a', 'c', 'b', 'b'], 5)).toEqual([]);
  });

  it('rewrites a node a deposed leader staged beyond the committed epoch, even when its ranges stay', () => {
    const state = new CommittedAssignment(2, 5, 5, new Map([
      ['a', known(at(6, [0, 1], { epoch: 4, ranges: [0] }))], // staged epoch 6, never committed
      ['b', known(at(6, [], { epoch: 5, ranges: [1] }))],
    ]));
    expect(state.owners()).toEqual(['a', 'b']);
    expect(state.nextEpoch()).toBe(7);
    const writes = state.plan(['a', 'b'], 7);
    expect(writes.map((w) => [w.id, w.node.ranges, w.node.prev])).toEqual([
      ['a', [0], { epoch: 4, ranges: [0] }],
      ['b', [1], { epoch: 5, ranges: [1] }],
    ]);
  });

  it('empties a departed poller, then lists its node for deletion once committed', () => {
    const state = new CommittedAssignment(2, 1, 1, new Map([
      ['a', known(at(1, [0]))],
      ['b', known(at(1, [1]), 4)],
    ]));
    const writes = state.plan(['a', null], 2);
    expect(writes).toEqual([{ id: 'b', node: at(2, [], { epoch: 1, ranges: [1] }), version: 4 }]);
    state.staged(writes);
    expect(state.empty()).toEqual([]);
    state.committed(2);
    expect(state.empty()).toEqual([{ id: 'b', version: 5 }]);
  });

  it('writes nodes carried over from a 0.1 header, and malformed ones', () => {
    const state = new CommittedAssignment(2, 1, 1, new Map<string, KnownNode>([
      ['a', { version: null, node: at(1, [0]), rewrite: true }],
      ['b', { version: 2, node: null, rewrite: true }],
    ]));
    expect(state.owners()).toEqual(['a', null]);
    const writes = state.plan(['a', 'b'], 2);
    expect(writes).toEqual([
      { id: 'a', node: at(2, [0], { epoch: 1, ranges: [0] }), version: null },
      { id: 'b', node: at(2, [1], { epoch: 0, ranges: [] }), version: 2 },
    ]);
  });
});
