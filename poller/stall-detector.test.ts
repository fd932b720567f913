import { describe, expect, it } from 'vitest';
import { StallDetector } from './stall-detector.js';

function detector(limits = { fetchStallMs: 20_000, handlerStallMs: 10_000 }) {
  let t = 1_000_000;
  const d = new StallDetector(limits, () => t);
  return { d, advance: (ms: number) => (t += ms), now: () => t };
}

describe('StallDetector: fetch stall', () => {
  it('counts from the last broker reply, not from when the source noticed', () => {
    const { d, advance, now } = detector();
    const startedAt = now();
    const lastReplyAt = now();
    advance(19_999);
    expect(d.verdict({ connected: false, lastReplyAt }, startedAt)).toBeNull();
    advance(1);
    const v = d.verdict({ connected: false, lastReplyAt, lastError: 'KafkaJSConnectionError: Connection timeout' }, startedAt);
    expect(v).toMatchObject({ reason: 'fetch-stall', since: lastReplyAt });
    expect(v?.detail).toContain('20.0 s');
    expect(v?.detail).toContain('Connection timeout');
  });

  it('ends as soon as a broker answers again', () => {
    const { d, advance, now } = detector();
    const startedAt = now();
    advance(30_000);
    expect(d.verdict({ connected: false, lastReplyAt: startedAt }, startedAt)).not.toBeNull();
    expect(d.verdict({ connected: true, lastReplyAt: now() }, startedAt)).toBeNull();
  });

  it('does not count silence from before the poller started', () => {
    const { d, advance, now } = detector();
    advance(5_000);
    const startedAt = now();
    advance(10_000);
    expect(d.verdict({ connected: false, lastReplyAt: 0 }, startedAt)).toBeNull();
    advance(10_000);
    expect(d.verdict({ connected: false, lastReplyAt: 0 }, startedAt)).toMatchObject({ since: startedAt });
  });

  it('falls back to when the source first said disconnected when it cannot tell its last reply', () => {
    const { d, advance, now } = detector();
    const startedAt = now();
    expect(d.verdict({ connected: false }, startedAt)).toBeNull();
    const noticed = now();
    advance(20_000);
    expect(d.verdict({ connected: false }, startedAt)).toMatchObject({ since: noticed });
    expect(d.verdict({ connected: true }, startedAt)).toBeNull();
    advance(1_000);
    expect(d.verdict({ connected: false }, startedAt)).toBeNull();
  });

  it('is off with a limit of 0', () => {
    const { d, advance, now } = detector({ fetchStallMs: 0, handlerStallMs: 0 });
    advance(1e9);
    expect(d.verdict({ connected: false, lastReplyAt: 0 }, now() - 1e9)).toBeNull();
  });
});

describe('StallDetector: handler stall', () => {
  const kafka = (now: number) => ({ connected: true, lastReplyAt: now });
  const refused = new Error('sidecar http://127.0.0.1:1/ request failed: ECONNREFUSED');

  it('needs every call refused for the whole limit', () => {
    const { d, advance, now } = detector();
    d.handlerRefused(refused);
    advance(5_000);
    d.handlerAnswered(); // one call got through: the sidecar is there
    d.handlerRefused(refused);
    const since = now();
    advance(9_000);
    d.handlerRefused(refused);
    expect(d.verdict(kafka(now()), 0)).toBeNull();
    advance(1_000);
    d.handlerRefused(refused);
    expect(d.verdict(kafka(now()), 0)).toMatchObject({ reason: 'handler-stall', since });
    expect(d.verdict(kafka(now()), 0)?.detail).toContain('ECONNREFUSED');
  });

  it('ends after a limit without a fresh refusal (ranges gone, nothing to try): the poller tries again', () => {
    const { d, advance, now } = detector();
    d.handlerRefused(refused);
    advance(10_000);
    d.handlerRefused(refused);
    expect(d.verdict(kafka(now()), 0)).not.toBeNull();
    advance(9_999);
    expect(d.verdict(kafka(now()), 0)).not.toBeNull();
    advance(1);
    expect(d.verdict(kafka(now()), 0)).toBeNull();
    // and a new refusal starts a new count
    d.handlerRefused(refused);
    expect(d.verdict(kafka(now()), 0)).toBeNull();
  });

  it('a fetch stall is reported before a handler stall', () => {
    const { d, advance, now } = detector({ fetchStallMs: 1_000, handlerStallMs: 1_000 });
    const startedAt = now();
    d.handlerRefused(refused);
    advance(2_000);
    d.handlerRefused(refused);
    expect(d.verdict({ connected: false, lastReplyAt: startedAt }, startedAt)?.reason).toBe('fetch-stall');
  });
});
