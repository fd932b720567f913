import { describe, it, expect } from 'vitest';
import { RateMeter, DemoRates } from './rates.js';

describe('demo rates', () => {
  it('measures a growing counter over its window, once two samples are 500 ms apart', () => {
    const m = new RateMeter(3_000);
    m.sample(0, 0);
    m.sample(100, 400);
    expect(m.perSecond).toBeNull();
    m.sample(200, 1_000);
    expect(m.perSecond).toBe(200);
  });

  it('samples every counter together and each poller on its own; committed only once known', () => {
    const r = new DemoRates();
    r.sample({ produced: 0, handled: 0, perPoller: [{ poller: 'p1', handled: 0 }], committed: null }, 0);
    r.sample({ produced: 500, handled: 400, perPoller: [{ poller: 'p1', handled: 300 }, { poller: 'p2', handled: 100 }], committed: 10 }, 1_000);
    expect(r.produced.perSecond).toBe(500);
    expect(r.handled.perSecond).toBe(400);
    expect(r.ofPoller('p1')).toBe(300);
    expect(r.ofPoller('p2')).toBeNull();
    expect(r.ofPoller('p3')).toBeNull();
    expect(r.committed.perSecond).toBeNull();
  });
});
