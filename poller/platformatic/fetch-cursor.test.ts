import { describe, expect, it } from 'vitest';
import { FetchCursor } from './fetch-cursor.js';

describe('FetchCursor', () => {
  it('delivers the answer to a fetch only while nothing moved the position since it was sent', () => {
    const c = new FetchCursor();
    expect(c.assignAt(c.beginAssign(), 10)).toBe(true);
    const t = c.ticket();
    expect(c.current(t)).toBe(true);
    c.advance(t, 19);
    expect(c.next).toBe(20);
    // The old ticket no longer matches the position: a second answer to it is stale.
    expect(c.current(t)).toBe(false);
    const t2 = c.ticket();
    c.moveTo(20);
    expect(c.current(t2)).toBe(false);
    c.advance(t2, 29);
    expect(c.next).toBe(20);
  });

  it('drops an answer after a revoke, and a slow assign loses to a later revoke', () => {
    const c = new FetchCursor();
    c.assignAt(c.beginAssign(), 0);
    const t = c.ticket();
    expect(c.revoke()).toBe(true);
    expect(c.current(t)).toBe(false);
    const token = c.beginAssign();
    c.revoke();
    expect(c.assignAt(token, 5)).toBe(false);
    expect(c.assigned).toBe(false);
    expect(c.revoke()).toBe(false);
  });

  it('is wanted while assigned and not held; hold and release say when they change something', () => {
    const c = new FetchCursor();
    expect(c.wanted).toBe(false);
    expect(c.hold()).toBe(false);
    c.assignAt(c.beginAssign(), 0);
    expect(c.wanted).toBe(true);
    expect(c.hold()).toBe(true);
    expect(c.hold()).toBe(false);
    expect(c.wanted).toBe(false);
    expect(c.release()).toBe(true);
    expect(c.release()).toBe(false);
    expect(c.wanted).toBe(true);
  });
});
