import { describe, expect, it } from 'vitest';
import { ConsumerHealth } from './consumer-health.js';

describe('ConsumerHealth', () => {
  it('is connected only once started, joined, and heard from within the stale window', () => {
    let now = 1_000;
    const h = new ConsumerHealth(500, () => now);
    expect(h.report(true)).toEqual({ connected: false });
    h.joinedGroup();
    expect(h.report(false)).toEqual({ connected: false, lastReplyAt: 1_000 });
    expect(h.report(true)).toEqual({ connected: true, lastReplyAt: 1_000 });
    now += 499;
    expect(h.report(true).connected).toBe(true);
    now += 1;
    expect(h.report(true).connected).toBe(false);
    h.brokerReplied();
    expect(h.report(true).connected).toBe(true);
  });

  it('leaves the group on a crash and keeps the last error after a recovery', () => {
    let now = 0;
    const h = new ConsumerHealth(500, () => now);
    h.joinedGroup();
    h.crashed(new TypeError('gone'));
    expect(h.report(true)).toEqual({ connected: false, lastError: 'TypeError: gone', lastReplyAt: 0 });
    now = 10;
    h.joinedGroup();
    expect(h.report(true)).toEqual({ connected: true, lastError: 'TypeError: gone', lastReplyAt: 10 });
    h.requestTimedOut('Fetch', 'b1:9092');
    expect(h.report(true).lastError).toBe('request timeout: Fetch to b1:9092');
    h.failed('refused');
    expect(h.report(true)).toEqual({ connected: true, lastError: 'refused', lastReplyAt: 10 });
  });
});
