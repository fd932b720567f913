import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterNow, HandlerUnavailable, type RingMessage } from '../message.js';
import { createHttpHandler, type HttpHandler } from './http-handler.js';

interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  socketPort: number;
}

// One real server; the path picks the behaviour.
const seen: Seen[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), socketPort: req.socket.remotePort ?? 0 });
      switch (req.url) {
        case '/ok':
          res.writeHead(200).end('fine');
          return;
        case '/500':
          res.writeHead(500).end('database on fire');
          return;
        case '/404':
          res.writeHead(404).end('no such route');
          return;
        case '/429':
          res.writeHead(429).end();
          return;
        case '/slow':
          setTimeout(() => res.writeHead(200).end(), 2000).unref();
          return;
        case '/json-retry':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"RETRY"}');
          return;
        case '/json-drop':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"DROP"}');
          return;
        case '/json-success':
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"status":"SUCCESS"}');
          return;
        default:
          res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function message(over: Partial<RingMessage> = {}): RingMessage {
  return {
    topic: 'orders',
    range: 3,
    partition: 3,
    offset: '1234',
    key: 'user-1',
    value: Buffer.from([0, 1, 2, 255]),
    headers: { 'trace-id': 'abc' },
    timestamp: '1700000000000',
    attempt: 2,
    ...over,
  };
}

async function withHandler<T>(path: string, fn: (h: HttpHandler) => Promise<T>, timeoutMs = 5000): Promise<T> {
  const h = createHttpHandler({ url: `${base}${path}`, timeoutMs, maxSockets: 4 });
  try {
    return await fn(h);
  } finally {
    h.close();
  }
}

describe('createHttpHandler: what it sends', () => {
  it('acks a 2xx and sends the body and ringleader headers', async () => {
    seen.length = 0;
    await withHandler('/ok', (h) => h.handle(message()));
    const req = seen[0]!;
    expect(req.body).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(req.headers['content-type']).toBe('application/octet-stream');
    expect(req.headers['ringleader-key']).toBe('user-1');
    expect(req.headers['ringleader-range']).toBe('3');
    expect(req.headers['ringleader-partition']).toBe('3');
    expect(req.headers['ringleader-offset']).toBe('1234');
    expect(req.headers['ringleader-attempt']).toBe('2');
    expect(req.headers['trace-id']).toBe('abc');
  });

  it('percent-encodes keys with any bytes and omits the key header for null keys', async () => {
    seen.length = 0;
    const key = 'naïve key\n\u0000%é🙂';
    await withHandler('/ok', async (h) => {
      await h.handle(message({ key, headers: { 'x-note': 'héllo wörld', 'bad name': 'x', 'ringleader-key': 'spoof' } }));
      await h.handle(message({ key: null }));
    });
    expect(decodeURIComponent(seen[0]!.headers['ringleader-key'] as string)).toBe(key);
    expect(decodeURIComponent(seen[0]!.headers['x-note'] as string)).toBe('héllo wörld');
    expect(seen[1]!.headers['ringleader-key']).toBeUndefined();
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    seen.length = 0;
    await withHandler('/ok', async (h) => {
      for (let i = 0; i < 5; i++) await h.handle(message({ offset: String(i) }));
    });
    expect(seen.map((s) => s.headers['ringleader-offset'])).toEqual(['0', '1', '2', '3', '4']);
    expect(new Set(seen.map((s) => s.socketPort)).size).toBe(1);
    expect(seen[0]!.headers.connection).toBe('keep-alive');
  });

  it('rejects URLs that are not http(s)', () => {
    expect(() => createHttpHandler({ url: 'ftp://x/y' })).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe('createHttpHandler: how it reads the answer', () => {
  it('retries on 500 and 429 with a message naming the status', async () => {
    await withHandler('/500', (h) => expect(h.handle(message())).rejects.toThrow(/sidecar answered 500: database on fire/));
    const err = await withHandler('/429', (h) => h.handle(message()).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(DeadLetterNow);
  });

  it('dead-letters on other 4xx', async () => {
    const err = await withHandler('/404', (h) => h.handle(message()).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(DeadLetterNow);
    expect((err as Error).message).toMatch(/404: no such route/);
  });

  it('lets a JSON status override the HTTP status', async () => {
    const retry = await withHandler('/json-retry', (h) => h.handle(message()).catch((e: unknown) => e));
    expect(retry).toBeInstanceOf(Error);
    expect(retry).not.toBeInstanceOf(DeadLetterNow);
    const drop = await withHandler('/json-drop', (h) => h.handle(message()).catch((e: unknown) => e));
    expect(drop).toBeInstanceOf(DeadLetterNow);
    await withHandler('/json-success', (h) => h.handle(message()));
  });

  it('retries when the sidecar is too slow', async () => {
    const started = Date.now();
    await withHandler('/slow', (h) => expect(h.handle(message())).rejects.toThrow(/did not answer within 150 ms/), 150);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('retries when the port is closed', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const h = createHttpHandler({ url: `http://127.0.0.1:${port}/x`, timeoutMs: 2000 });
    try {
      const err = await h.handle(message()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(DeadLetterNow);
      // Nothing listening: retried without using up the message's attempts.
      expect(err).toBeInstanceOf(HandlerUnavailable);
      expect((err as Error).message).toMatch(/ECONNREFUSED/);
    } finally {
      h.close();
    }
  });
});

describe('createHttpHandler: probe', () => {
  it('says whether the sidecar accepts a connection', async () => {
    const up = createHttpHandler({ url: `${base}/ok` });
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const down = createHttpHandler({ url: `http://127.0.0.1:${port}/x` });
    try {
      expect(await up.probe()).toBe(true);
      expect(await down.probe()).toBe(false);
    } finally {
      up.close();
      down.close();
    }
  });
});
