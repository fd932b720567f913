import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseConfig, parseResizeMarker, parseMember, parseProducer, parseAssignmentHeader, parseMemberAssignment, encodeMemberAssignment, parseLease, parseOffset, encode } from './znodes.js';

const parsers = { parseConfig, parseResizeMarker, parseMember, parseProducer, parseAssignmentHeader, parseMemberAssignment: (d: Buffer) => parseMemberAssignment(d, 64), parseLease, parseOffset };

describe('znode parsers', () => {
  it('accept the shapes of docs/design.md', () => {
    expect(parseConfig(encode({ version: 1, topic: 'orders', ranges: 64 }))).toEqual({ ok: true, value: { version: 1, topic: 'orders', ranges: 64 } });
    const member = { id: 'p1', host: 'h', pid: 12, weight: 2, state: 'active', startedAt: '2026-01-01T00:00:00Z', metricsUrl: 'http://x' };
    expect(parseMember(encode(member), 'p1')).toEqual({ ok: true, value: member });
    const producer = { id: 'host-1-ab', host: 'h', pid: 7, ranges: 16, startedAt: '2026-01-01T00:00:00Z' };
    expect(parseProducer(encode(producer), 'host-1-ab')).toEqual({ ok: true, value: producer });
    expect(parseProducer(encode({ ...producer, ranges: 0 }))).toMatchObject({ ok: false, error: expect.stringContaining('"ranges"') });
    expect(parseProducer(encode(producer), 'other')).toMatchObject({ ok: false, error: expect.stringContaining('"id"') });
    const sick = { ...member, unhealthy: { reason: 'fetch-stall', since: '2026-01-01T00:00:01Z', detail: 'no Kafka broker answered for 20.0 s' } };
    expect(parseMember(encode(sick), 'p1')).toEqual({ ok: true, value: sick });
    const header = { epoch: 3, leader: 'p1', at: 'now', reason: 'x' };
    expect(parseAssignmentHeader(encode(header))).toEqual({ ok: true, value: header });
    const node = { epoch: 3, ranges: [0, 1, 2, 9], prev: { epoch: 1, ranges: [5] } };
    expect(parseMemberAssignment(encodeMemberAssignment(node, 64), 64)).toEqual({ ok: true, value: node });
    // A header written by 0.1 still carries every owner: read once, as the previous owners.
    const legacy = parseAssignmentHeader(encode({ ...header, owners: ['p1', null, 'p2'] }), 3);
    expect(legacy).toEqual({ ok: true, value: { ...header, legacyOwners: ['p1', null, 'p2'] } });
    expect(parseLease(encode({ poller: 'p1', epoch: 3, at: 'now' })).ok).toBe(true);
    expect(parseOffset(encode({ offset: '9223372036854775807', poller: 'p1', epoch: 3, at: 'now' })).ok).toBe(true);
  });

  it('reject wrong shapes with a message naming the field', () => {
    expect(parseConfig(encode({ version: 1, topic: 'orders', ranges: 0 }))).toMatchObject({ ok: false, error: expect.stringContaining('ranges') });
    expect(parseMember(encode({ id: 'p2', host: 'h', pid: 1, weight: 1, state: 'active', startedAt: 'x' }), 'p1')).toMatchObject({ ok: false, error: expect.stringContaining('id') });
    expect(parseMember(encode({ id: 'p1', host: 'h', pid: 1, weight: 0, state: 'active', startedAt: 'x' }))).toMatchObject({ ok: false });
    const base = { id: 'p1', host: 'h', pid: 1, weight: 1, state: 'active', startedAt: 'x' };
    expect(parseMember(encode({ ...base, unhealthy: { reason: 'tired', since: 'x', detail: '' } }))).toMatchObject({ ok: false, error: expect.stringContaining('unhealthy.reason') });
    expect(parseMember(encode({ ...base, unhealthy: true }))).toMatchObject({ ok: false, error: expect.stringContaining('unhealthy') });
    expect(parseAssignmentHeader(encode({ epoch: 1, leader: 'p', at: 'x', owners: ['a'], reason: '' }), 2)).toMatchObject({ ok: false, error: expect.stringContaining('2 entries') });
    expect(parseMemberAssignment(encode({ epoch: 2, ranges: '3-70', prev: { epoch: 1, ranges: '' } }), 64)).toMatchObject({ ok: false, error: expect.stringContaining('not below 64') });
    expect(parseMemberAssignment(encode({ epoch: 1, ranges: '3', prev: { epoch: 2, ranges: '' } }), 64)).toMatchObject({ ok: false, error: expect.stringContaining('prev.epoch') });
    expect(parseOffset(encode({ offset: '-1', poller: 'p', epoch: 1, at: 'x' }))).toMatchObject({ ok: false });
    expect(parseOffset(encode({ offset: 12, poller: 'p', epoch: 1, at: 'x' }))).toMatchObject({ ok: false });
    expect(parseLease(Buffer.from('{"poller":'))).toMatchObject({ ok: false, error: expect.stringContaining('not JSON') });
    expect(parseLease(Buffer.alloc(0))).toMatchObject({ ok: false, error: expect.stringContaining('empty') });
    expect(parseLease(Buffer.from('[1,2]'))).toMatchObject({ ok: false });
  });

  it('never throw on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        for (const parse of Object.values(parsers)) {
          const r = parse(Buffer.from(bytes));
          expect(typeof r.ok).toBe('boolean');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throw on random JSON, and only accept values of the right types', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const data = Buffer.from(JSON.stringify(v) ?? 'null');
        for (const parse of Object.values(parsers)) parse(data);
        const a = parseAssignmentHeader(data);
        if (a.ok) expect(Number.isSafeInteger(a.value.epoch)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reject near-valid records with one field mutated', () => {
    const valid = { offset: '42', poller: 'p1', epoch: 7, at: 'now' };
    fc.assert(
      fc.property(fc.constantFrom('offset', 'poller', 'epoch', 'at'), fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.object()), (field, bad) => {
        const r = parseOffset(encode({ ...valid, [field]: bad }));
        // Either the mutation happened to keep the type, or it is refused.
        if (r.ok) expect(typeof (r.value as unknown as Record<string, unknown>)[field]).toBe(typeof (valid as Record<string, unknown>)[field]);
      }),
      { numRuns: 1000 },
    );
  });

describe('resize nodes', () => {
  it('reads a config with a split, and refuses a split that does not fit its ranges', () => {
    const split = { from: 2, offsets: ['10', '0'] };
    expect(parseConfig(encode({ version: 1, topic: 't', ranges: 4, split }))).toEqual({ ok: true, value: { version: 1, topic: 't', ranges: 4, split } });
    expect(parseConfig(encode({ version: 1, topic: 't', ranges: 4, split: { from: 3, offsets: ['1', '2', '3'] } }))).toMatchObject({ ok: false, error: expect.stringContaining('split.from') });
    expect(parseConfig(encode({ version: 1, topic: 't', ranges: 4, split: { from: 4, offsets: [] } }))).toMatchObject({ ok: false, error: expect.stringContaining('split.from') });
    expect(parseConfig(encode({ version: 1, topic: 't', ranges: 4, split: { from: 2, offsets: ['1'] } }))).toMatchObject({ ok: false, error: expect.stringContaining('split.offsets') });
    expect(parseConfig(encode({ version: 1, topic: 't', ranges: 4, split: { from: 2, offsets: ['1', '-2'] } }))).toMatchObject({ ok: false, error: expect.stringContaining('split.offsets') });
  });

  it('reads a resize marker and a paused producer', () => {
    const marker = { id: 'r-1', from: 4, to: 8, host: 'h', pid: 3, startedAt: 'now' };
    expect(parseResizeMarker(encode(marker))).toEqual({ ok: true, value: marker });
    expect(parseResizeMarker(encode({ ...marker, to: 6 }))).toMatchObject({ ok: false, error: expect.stringContaining('"to"') });
    expect(parseResizeMarker(encode({ ...marker, id: 'a/b' }))).toMatchObject({ ok: false, error: expect.stringContaining('"id"') });
    const producer = { id: 'p', host: 'h', pid: 1, ranges: 4, startedAt: 's', pausedFor: 'r-1' };
    expect(parseProducer(encode(producer), 'p')).toEqual({ ok: true, value: producer });
    expect(parseProducer(encode({ ...producer, pausedFor: 7 }), 'p')).toMatchObject({ ok: false, error: expect.stringContaining('pausedFor') });
  });
});
});
