import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { FakeClock } from '../test/support/fake-clock.js';
import type { Unhealthy } from '../coordinator/index.js';
import type { SourceHealth } from './range-source.js';
import { HealthReporter } from './health-reporter.js';
import { StallDetector } from './stall-detector.js';

function setup(opts: { probe?: () => Promise<boolean> } = {}) {
  const clock = new FakeClock();
  const detector = new StallDetector({ fetchStallMs: 4_000, handlerStallMs: 2_000 }, () => clock.now());
  const writes: (Unhealthy | null)[] = [];
  let failWrites = false;
  let zkUsable = true;
  let kafka: SourceHealth = { connected: true, lastReplyAt: 0 };
  const changes: string[] = [];
  const reporter = new HealthReporter({
    detector,
    membership: {
      setUnhealthy: async (u) => {
        if (failWrites) throw new Error('CONNECTION_LOSS');
        writes.push(u);
      },
    },
    kafka: () => kafka,
    zkUsable: () => zkUsable,
    ...(opts.probe ? { probeHandler: opts.probe } : {}),
    onChange: (now, before) => changes.push(`${before?.reason ?? 'healthy'} -> ${now?.reason ?? 'healthy'}`),
    clock,
    everyMs: 500,
    logger: pino({ level: 'silent' }),
  });
  reporter.start();
  return {
    clock,
    detector,
    reporter,
    writes,
    changes,
    setKafka: (k: SourceHealth) => (kafka = k),
    setFailWrites: (v: boolean) => (failWrites = v),
    setZkUsable: (v: boolean) => (zkUsable = v),
  };
}

describe('HealthReporter', () => {
  it('marks the member unhealthy once the fetch stall passes its limit, and healthy again once a broker answers', async () => {
    const t = setup();
    await t.clock.advance(3_500);
    expect(t.writes).toEqual([]);
    await t.clock.advance(1_000);
    expect(t.writes).toHaveLength(1);
    expect(t.writes[0]).toMatchObject({ reason: 'fetch-stall', since: new Date(0).toISOString() });
    expect(t.reporter.current()?.reason).toBe('fetch-stall');
    // The stall goes on: nothing more is written.
    await t.clock.advance(10_000);
    expect(t.writes).toHaveLength(1);
    t.setKafka({ connected: true, lastReplyAt: t.clock.now() });
    await t.clock.advance(500);
    expect(t.writes).toEqual([t.writes[0], null]);
    expect(t.reporter.current()).toBeNull();
    expect(t.changes).toEqual(['healthy -> fetch-stall', 'fetch-stall -> healthy']);
  });

  it('writes nothing while ZooKeeper is unusable, and catches up when it is back', async () => {
    const t = setup();
    t.setZkUsable(false);
    await t.clock.advance(6_000);
    expect(t.writes).toEqual([]);
    expect(t.reporter.current()).toBeNull();
    t.setZkUsable(true);
    await t.clock.advance(500);
    expect(t.writes.map((w) => w?.reason)).toEqual(['fetch-stall']);
  });

  it('tries a failed write again on a later tick', async () => {
    const t = setup();
    t.setFailWrites(true);
    await t.clock.advance(5_000);
    expect(t.reporter.current()).toBeNull();
    t.setFailWrites(false);
    await t.clock.advance(500);
    expect(t.writes.map((w) => w?.reason)).toEqual(['fetch-stall']);
    expect(t.changes).toEqual(['healthy -> fetch-stall']);
  });

  it('probes the handler while handler-stalled and is healthy again once the probe connects', async () => {
    let sidecarUp = false;
    const t = setup({ probe: async () => sidecarUp });
    const keepKafka = () => t.setKafka({ connected: true, lastReplyAt: t.clock.now() });
    t.detector.handlerRefused(new Error('ECONNREFUSED'));
    for (let i = 0; i < 6; i++) {
      keepKafka();
      await t.clock.advance(500);
    }
    expect(t.reporter.current()?.reason).toBe('handler-stall');
    // Refused probes keep the stall going past the limit without any handler call.
    for (let i = 0; i < 10; i++) {
      keepKafka();
      await t.clock.advance(500);
    }
    expect(t.reporter.current()?.reason).toBe('handler-stall');
    sidecarUp = true;
    for (let i = 0; i < 2; i++) {
      keepKafka();
      await t.clock.advance(500);
    }
    expect(t.reporter.current()).toBeNull();
    expect(t.changes).toEqual(['healthy -> handler-stall', 'handler-stall -> healthy']);
  });
});
