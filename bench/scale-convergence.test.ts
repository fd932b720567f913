import { describe, expect, it } from 'vitest';
import { ConvergenceTracker, movedMembers, movedRanges } from './scale-convergence.js';

describe('ConvergenceTracker', () => {
  it('is not converged before any epoch is published', () => {
    const t = new ConvergenceTracker(2);
    t.acquired('a', 0, 1);
    expect(t.converged).toBe(false);
    expect(t.pending).toBe(2);
  });

  it('converges once every range is held by the owner the latest epoch names', () => {
    const t = new ConvergenceTracker(3);
    t.published(1, ['a', 'a', 'b'], 10);
    expect(t.pending).toBe(3);
    t.acquired('a', 0, 11);
    t.acquired('a', 1, 12);
    expect(t.converged).toBe(false);
    t.acquired('b', 2, 13);
    expect(t.converged).toBe(true);
  });

  it('a newer epoch that moves a range undoes convergence until the new owner holds it', () => {
    const t = new ConvergenceTracker(2);
    t.published(1, ['a', 'a'], 1);
    t.acquired('a', 0, 2);
    t.acquired('a', 1, 3);
    expect(t.converged).toBe(true);
    t.mark();
    t.published(2, ['a', 'b'], 4);
    expect(t.pending).toBe(1);
    t.released('a', 1, 5);
    expect(t.converged).toBe(false);
    t.acquired('b', 1, 6);
    expect(t.converged).toBe(true);
    expect(t.latestAt).toBe(6);
  });

  it('ignores an older epoch arriving late', () => {
    const t = new ConvergenceTracker(1);
    t.published(2, ['b'], 5);
    t.published(1, ['a'], 4);
    expect(t.epoch).toBe(2);
    t.acquired('b', 0, 6);
    expect(t.converged).toBe(true);
  });

  it('a release arriving after the next holder reported its acquisition changes nothing', () => {
    const t = new ConvergenceTracker(1);
    t.published(1, ['b'], 1);
    // b's acquisition arrives first, even with an earlier timestamp than a's release.
    t.acquired('b', 0, 2);
    t.released('a', 0, 3);
    expect(t.holds('b', 0)).toBe(true);
    expect(t.converged).toBe(true);
  });

  it('needs each member\'s events in order only, not the members\' relative order', () => {
    const t = new ConvergenceTracker(1);
    t.published(3, ['a'], 1);
    // Happened: a released, b acquired, b released, a acquired; a's batch arrives first.
    t.released('a', 0, 2);
    t.acquired('a', 0, 5);
    t.acquired('b', 0, 3);
    t.released('b', 0, 4);
    expect(t.holds('a', 0)).toBe(true);
    expect(t.holds('b', 0)).toBe(false);
    expect(t.converged).toBe(true);
  });

  it('a stale holder whose release is still on its way does not hide the owner holding the range', () => {
    const t = new ConvergenceTracker(1);
    t.published(1, ['a'], 1);
    t.acquired('a', 0, 2);
    t.published(2, ['b'], 3);
    t.acquired('b', 0, 5);
    expect(t.converged).toBe(true);
    expect(t.pendingRanges(5)).toEqual([]);
  });

  it('lists the ranges still pending with their owner and holders', () => {
    const t = new ConvergenceTracker(2);
    t.published(1, ['a', 'b'], 1);
    t.acquired('a', 0, 2);
    t.acquired('c', 1, 3);
    expect(t.pendingRanges(5)).toEqual([{ range: 1, owner: 'b', holders: ['c'] }]);
  });

  it('counts convergence from events before the epoch that names their holders', () => {
    const t = new ConvergenceTracker(2);
    t.acquired('a', 0, 1);
    t.acquired('b', 1, 2);
    t.published(1, ['a', 'b'], 3);
    expect(t.converged).toBe(true);
    expect(t.latestAt).toBe(3);
  });

  it('a lost range counts as not held', () => {
    const t = new ConvergenceTracker(1);
    t.published(1, ['a'], 1);
    t.acquired('a', 0, 2);
    t.released('a', 0, 3);
    expect(t.converged).toBe(false);
  });

  it('refuses owners of the wrong length and ignores out-of-range events', () => {
    const t = new ConvergenceTracker(2);
    expect(() => t.published(1, ['a'], 1)).toThrow(RangeError);
    t.acquired('a', 7, 1);
    expect(t.holds('a', 7)).toBe(false);
  });
});

describe('movedMembers', () => {
  it('names the old and new owner of every range that moved', () => {
    expect(movedMembers(['a', 'a', 'b', 'c'], ['a', 'd', 'b', 'c'])).toEqual(new Set(['a', 'd']));
  });

  it('treats a first assignment as every owner gaining ranges', () => {
    expect(movedMembers([], ['a', 'b'])).toEqual(new Set(['a', 'b']));
  });

  it('is empty when nothing moved', () => {
    expect(movedMembers(['a', null], ['a', null]).size).toBe(0);
  });
});

describe('movedRanges', () => {
  it('lists the ranges whose owner changed', () => {
    expect(movedRanges(['a', 'a', 'b', null], ['a', 'c', 'b', 'd'])).toEqual([1, 3]);
  });

  it('treats every owned range of a first assignment as moved', () => {
    expect(movedRanges([], ['a', null, 'b'])).toEqual([0, 2]);
  });
});

describe('ConvergenceTracker.heldByOwner', () => {
  it('tells range by range, so a stuck range elsewhere does not hide a change that converged', () => {
    const t = new ConvergenceTracker(3);
    t.published(1, ['a', 'b', 'c'], 1);
    t.acquired('a', 0, 2);
    t.acquired('b', 1, 3);
    expect(t.converged).toBe(false);
    expect([0, 1].every((r) => t.heldByOwner(r))).toBe(true);
    expect(t.heldByOwner(2)).toBe(false);
    expect(t.holdersOf(1)).toEqual(['b']);
  });
});
