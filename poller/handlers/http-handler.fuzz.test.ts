// Hostile input at the sidecar boundary (fuzz): the response classifier
// against any status code, content type and body; and messages of any bytes
// (keys, values, header names and values, spoofed ringleader-* headers)
// through the HTTP handler to a real local server that answers with random
// status codes and bodies. Outcome: the request carries the value bytes
// exactly and every key/header round-trips through percent-encoding; the
// handler settles (ack / retry / dead letter as the classifier says); never
// a crash or a hang.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DeadLetterNow, type RingMessage } from '../message.js';
import { classifySidecarResponse, type SidecarVerdict } from './sidecar-response.js';
import { createHttpHandler, type HttpHandler } from './http-handler.js';
import { isValidHeaderName } from './header-encoding.js';

let cases = 0;
const VERDICTS: SidecarVerdict[] = ['ack', 'retry', 'dead-letter'];

const contentType = fc.option(
  fc.oneof(
    fc.constantFrom('application/json', 'APPLICATION/JSON; charset=utf-8', 'text/plain', 'text/html', '', 'application/problem+json', 'json', 'application/octet-stream'),
    fc.string({ maxLength: 40 }),
  ),
  { nil: undefined },
);
const statusWord = fc.oneof(fc.constantFrom('SUCCESS', 'success', 'SuCcEsS', 'RETRY', 'retry', 'DROP', 'drop', 'OK', '', ' SUCCESS'), fc.string({ maxLength: 10 }));
const body = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  statusWord.map((s) => JSON.stringify({ status: s })),
  fc.tuple(statusWord, fc.jsonValue({ maxDepth: 2 })).map(([s, extra]) => JSON.stringify({ extra, status: s })),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
  statusWord.map((s) => `  \n${JSON.stringify({ status: s })}\n`),
  statusWord.map((s) => JSON.stringify([{ status: s }])),
  statusWord.map((s) => JSON.stringify({ status: { status: s } })),
  statusWord.map((s) => `{"status":"${s}"`), // truncated
  fc.constant('x'.repeat(100_000)),
);

describe('classifySidecarResponse (fuzz)', () => {
  it('is total over status codes, content types and bodies', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.integer({ min: 100, max: 599 }), fc.constantFrom(NaN, Infinity, -0, 0)), contentType, body, (code, type, text) => {
      cases++;
      const v = classifySidecarResponse(code, type, text);
      expect(VERDICTS).toContain(v);
      // No override possible: the code decides, and only 2xx acks.
      let override: unknown;
      try {
        override = JSON.parse(text.trim());
      } catch {
        override = undefined;
      }
      const jsonish = type === undefined || type === '' || type.toLowerCase().includes('json');
      const word = override && typeof override === 'object' && !Array.isArray(override) ? (override as { status?: unknown }).status : undefined;
      const ruled = jsonish && text.trim().startsWith('{') && typeof word === 'string' && ['SUCCESS', 'RETRY', 'DROP'].includes(word.toUpperCase());
      if (!ruled) {
        const expected = code >= 200 && code < 300 ? 'ack' : code === 408 || code === 429 ? 'retry' : code >= 400 && code < 500 ? 'dead-letter' : 'retry';
        expect(v).toBe(expected);
      } else {
        expect(v).toBe({ SUCCESS: 'ack', RETRY: 'retry', DROP: 'dead-letter' }[(word as string).toUpperCase()]);
      }
    }), { numRuns: 3_000 });
  });
});

interface RawRequest {
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}
interface Reply {
  status: number;
  type: string | undefined;
  body: string;
}

let server: http.Server;
let url: string;
let handler: HttpHandler;
let nextReply: Reply = { status: 200, type: undefined, body: '' };
let lastSeen: RawRequest | null = null;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      lastSeen = { headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) };
      const r = nextReply;
      const headers: Record<string, string> = {};
      if (r.type !== undefined) headers['content-type'] = r.type;
      res.writeHead(r.status, headers).end(r.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  handler = createHttpHandler({ url, timeoutMs: 10_000 });
});

afterAll(async () => {
  handler.close();
  await new Promise<void>((r) => server.close(() => r()));
});

/** What kafka-source gives a handler: keys and header values decoded as UTF-8 from any bytes. */
const utf8OfBytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b).toString('utf8'));
const headerName = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/),
  fc.constantFrom('ringleader-key', 'Ringleader-Range', 'ringleader-offset', 'content-length', 'Transfer-Encoding', 'host', 'connection', 'expect', 'x y', 'x:y', 'é', '', 'x\r\nInjected: 1'),
  fc.string({ maxLength: 10 }),
);
const message = fc.record({
  key: fc.option(fc.oneof(utf8OfBytes(300), fc.string({ maxLength: 50 }), fc.constant(''), fc.constant('k'.repeat(6_000))), { nil: null }),
  value: fc.oneof(fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)), fc.constant(Buffer.alloc(0)), fc.constant(Buffer.alloc(512 * 1024, 0xfe))),
  headers: fc.dictionary(headerName, fc.oneof(utf8OfBytes(100), fc.constant(''), fc.constant('v\r\nInjected: 1')), { maxKeys: 6 }),
  range: fc.integer({ min: 0, max: 7167 }),
  offset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String),
  attempt: fc.integer({ min: 1, max: 1_000 }),
});
const reply = fc.record({
  status: fc.oneof(fc.integer({ min: 200, max: 599 }), fc.constantFrom(200, 204, 404, 408, 429, 500, 503)),
  type: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'), { nil: undefined }),
  body: fc.oneof(fc.string({ maxLength: 100 }), statusWord.map((s) => JSON.stringify({ status: s }))),
});

describe('HTTP sidecar with hostile messages (fuzz, real local server)', () => {
  it('value bytes exact, key and headers round-trip, verdict as classified', async () => {
    await fc.assert(
      fc.asyncProperty(message, reply, async (m, r) => {
        cases++;
        nextReply = { ...r, body: [204, 205, 304].includes(r.status) ? '' : r.body };
        lastSeen = null;
        const msg: RingMessage = { topic: 't', partition: m.range, timestamp: '0', ...m };
        let outcome: SidecarVerdict;
        try {
          await handler.handle(msg);
          outcome = 'ack';
        } catch (err) {
          outcome = err instanceof DeadLetterNow ? 'dead-letter' : 'retry';
        }
        const seen = lastSeen as RawRequest | null;
        expect(seen).not.toBeNull();
        expect(seen!.body.equals(m.value)).toBe(true);
        const h = seen!.headers;
        if (m.key === null) expect(h['ringleader-key']).toBeUndefined();
        else expect(decodeURIComponent(h['ringleader-key'] as string)).toBe(m.key);
        expect(h['ringleader-range']).toBe(String(m.range));
        expect(h['ringleader-partition']).toBe(String(m.range));
        expect(h['ringleader-offset']).toBe(m.offset);
        expect(h['ringleader-attempt']).toBe(String(m.attempt));
        expect(h['content-length']).toBe(String(m.value.length));
        expect(h['injected']).toBeUndefined();
        const lowerNames = Object.keys(m.headers).map((n) => n.toLowerCase());
        for (const [name, value] of Object.entries(m.headers)) {
          const lower = name.toLowerCase();
          const forwardable = isValidHeaderName(name) && !lower.startsWith('ringleader-') && lower !== '__proto__' &&
            !['host', 'content-length', 'content-type', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'expect', 'proxy-authorization', 'proxy-connection'].includes(lower);
          if (!forwardable) continue;
          // Kafka header names are case-sensitive, HTTP's are not: same-name-but-case headers arrive joined.
          if (lowerNames.filter((n) => n === lower).length > 1) continue;
          expect(decodeURIComponent(h[lower] as string), name).toBe(value);
        }
        const type = r.type;
        expect(outcome).toBe(classifySidecarResponse(r.status, type, nextReply.body));
      }),
      { numRuns: 400 },
    );
  }, 120_000);

  it('counted', () => {
    expect(cases).toBe(3_000 + 400);
  });
});

describe('sidecar credentials', () => {
  it('a password in --forward never shows in errors (which become dead-letter headers)', async () => {
    const secret = 's3cr3t-Pw';
    const h = createHttpHandler({ url: `http://bob:${secret}@127.0.0.1:1/x`, timeoutMs: 2_000 });
    try {
      const err = await h.handle({ topic: 't', range: 0, partition: 0, offset: '0', key: null, value: Buffer.alloc(0), headers: {}, timestamp: '0', attempt: 1 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(String((err as Error).message)).toContain('bob:***@127.0.0.1:1');
      expect(String((err as Error).message)).not.toContain(secret);
    } finally {
      h.close();
    }
  });
});
