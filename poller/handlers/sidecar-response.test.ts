import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifySidecarResponse } from './sidecar-response.js';

describe('classifySidecarResponse', () => {
  it('maps status codes', () => {
    const cases: [number, string][] = [
      [200, 'ack'],
      [204, 'ack'],
      [408, 'retry'],
      [429, 'retry'],
      [500, 'retry'],
      [503, 'retry'],
      [400, 'dead-letter'],
      [404, 'dead-letter'],
      [422, 'dead-letter'],
      [302, 'retry'],
      [0, 'retry'],
    ];
    for (const [code, verdict] of cases) expect([code, classifySidecarResponse(code, undefined, '')]).toEqual([code, verdict]);
  });

  it('lets a JSON status override the code', () => {
    expect(classifySidecarResponse(200, 'application/json', '{"status":"RETRY"}')).toBe('retry');
    expect(classifySidecarResponse(200, 'application/json; charset=utf-8', ' {"status":"DROP"} ')).toBe('dead-letter');
    expect(classifySidecarResponse(500, undefined, '{"status":"success"}')).toBe('ack');
    expect(classifySidecarResponse(500, 'text/plain', '{"status":"SUCCESS"}')).toBe('retry');
    expect(classifySidecarResponse(404, 'application/json', '{"status":"MAYBE"}')).toBe('dead-letter');
    expect(classifySidecarResponse(200, 'application/json', '{"status":')).toBe('ack');
  });

  it('never throws and always answers one of the three verdicts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 1000 }),
        fc.option(fc.oneof(fc.string(), fc.constantFrom('application/json', 'text/plain', '')), { nil: undefined }),
        fc.oneof(fc.string(), fc.json(), fc.record({ status: fc.string() }).map((o) => JSON.stringify(o))),
        (code, type, body) => {
          expect(['ack', 'retry', 'dead-letter']).toContain(classifySidecarResponse(code, type, body));
        },
      ),
    );
  });

  it('never acks a 4xx/5xx without an explicit SUCCESS', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), fc.option(fc.string(), { nil: undefined }), fc.string(), (code, type, body) => {
        fc.pre(!/success/i.test(body));
        expect(classifySidecarResponse(code, type, body)).not.toBe('ack');
      }),
    );
  });
});
