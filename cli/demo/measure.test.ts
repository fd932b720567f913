import { describe, expect, it } from 'vitest';
import { MoveTimer } from './measure.js';

describe('MoveTimer', () => {
  it('ends when every range of the poller is held by another, and keeps the earliest sighting', () => {
    const t = new MoveTimer('p2', [3, 7], 1_000);
    t.observeRange(3, null, 6_000); // lease gone (session expired)
    t.observeRange(3, 'p1', 6_050);
    expect(t.done).toBe(false);
    t.observeRange(7, 'p3', 6_200); // released and acquired in one sighting
    t.observeRange(7, 'p3', 6_100); // a lease watch that fired earlier wins
    expect(t.done).toBe(true);
    expect(t.totalMs).toBe(5_100);
    expect(t.pauses().sort((a, b) => a - b)).toEqual([0, 50]);
    expect(t.maxPauseMs).toBe(50);
    expect(t.moves()).toEqual(['3->p1', '7->p3']);
  });

  it('ignores ranges it does not follow and sightings of the poller itself', () => {
    const t = new MoveTimer('p2', [1], 0);
    t.observeRange(2, 'p1', 10);
    t.observeRange(1, 'p2', 20);
    expect(t.done).toBe(false);
    expect(t.maxPauseMs).toBeNull();
  });
});
