// Forwards each message to an HTTP sidecar (`--forward URL`) and turns the
// answer into ack / retry / dead letter (see sidecar-response.ts).
//
// Request: POST, body = value bytes, `content-type: application/octet-stream`,
// the message's own headers, then `ringleader-key` (absent for a null key),
// `ringleader-range`, `ringleader-partition`, `ringleader-offset`,
// `ringleader-attempt`. Key and header values are percent-encoded UTF-8 (see
// header-encoding.ts); message headers with names that are not valid HTTP
// tokens, or that would change framing or ringleader's own headers, are left out.
//
// Connections are kept alive (one Agent per handler) so the sidecar sees a
// few long-lived sockets, not one per message.

import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { pino, type Logger } from 'pino';
import { DeadLetterNow, HandlerUnavailable, type Handler, type RingMessage } from '../message.js';
import { encodeHeaderValue, isValidHeaderName } from './header-encoding.js';
import { classifySidecarResponse } from './sidecar-response.js';

export interface HttpHandlerOptions {
  url: string;
  /** Per request; a request with no answer by then is retried. Default 30 s. */
  timeoutMs?: number;
  /** Open connections to the sidecar at most. Default 64. */
  maxSockets?: number;
  logger?: Logger;
}

export interface HttpHandler {
  handle: (msg: RingMessage) => Promise<void>;
  /** Whether the sidecar accepts a connection now (asked while the poller is handler-stalled). */
  probe(): Promise<boolean>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** A probe with no answer by then counts as refused. */
const PROBE_TIMEOUT_MS = 1_000;

/** Enough of the body to read a `{"status": ...}` reply or quote an error. */
const MAX_BODY_BYTES = 64 * 1024;

const RESERVED = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
]);

export function createHttpHandler(opts: HttpHandlerOptions): HttpHandler {
  const target = new URL(opts.url);
  // Credentials in the URL stay out of logs, errors and dead-letter headers.
  const shown = redactUrl(target);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new Error(`--forward must be an http:// or https:// URL, got ${shown}`);
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'http-handler', url: shown });
  const transport = target.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const requestBase = {
    protocol: target.protocol,
    // URL keeps IPv6 literals in brackets; the http module wants them bare.
    hostname: target.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: target.port === '' ? undefined : Number(target.port),
    path: `${target.pathname}${target.search}`,
    method: 'POST',
    agent,
  };
  if (target.username !== '') {
    Object.assign(requestBase, { auth: `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}` });
  }

  const handle = (msg: RingMessage): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const req = transport.request({ ...requestBase, headers: buildHeaders(msg) });
      req.setTimeout(timeoutMs, () => {
        req.destroy(new Error(`sidecar ${shown} did not answer within ${timeoutMs} ms`));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const reason = err.message.startsWith('sidecar ') ? err.message : `sidecar ${shown} request failed: ${err.code ?? err.message}`;
        // Nothing listening: no message can cause that, so it must not use up attempts.
        if (err.code === 'ECONNREFUSED') reject(new HandlerUnavailable(reason, { cause: err }));
        else reject(new Error(reason, { cause: err }));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let complete = false;
        res.on('data', (chunk: Buffer) => {
          // Keep reading past the cap so the socket stays reusable.
          if (size < MAX_BODY_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          complete = true;
          const status = res.statusCode ?? 0;
          const body = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
          const verdict = classifySidecarResponse(status, res.headers['content-type'], body);
          if (verdict === 'ack') {
            resolve();
            return;
          }
          const what = `sidecar answered ${status}${snippet(body)}`;
          if (verdict === 'dead-letter') reject(new DeadLetterNow(what));
          else reject(new Error(what));
        });
        res.on('error', () => {});
        res.on('close', () => {
          if (!complete) reject(new Error(`sidecar ${shown} closed the connection mid-response`));
        });
      });
      req.end(msg.value);
    });

  const probe = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      const port = requestBase.port ?? (target.protocol === 'https:' ? 443 : 80);
      const socket = net.connect({ host: requestBase.hostname, port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
      socket.once('connect', () => done(true));
      socket.once('error', () => done(false));
    });

  return {
    handle,
    probe,
    close() {
      log.debug('closing sidecar connections');
      agent.destroy();
    },
  };
}

function buildHeaders(msg: RingMessage): Record<string, string | number> {
  const headers: Record<string, string | number> = {};
  for (const name in msg.headers) {
    const lower = name.toLowerCase();
    // `__proto__` can't be an own property of a plain headers object on either
    // side (ours, or a Node sidecar's req.headers): it is not forwarded.
    if (!isValidHeaderName(name) || RESERVED.has(lower) || lower.startsWith('ringleader-') || lower === '__proto__') continue;
    headers[name] = encodeHeaderValue(msg.headers[name] as string);
  }
  headers['content-type'] = 'application/octet-stream';
  headers['content-length'] = msg.value.length;
  if (msg.key !== null) headers['ringleader-key'] = encodeHeaderValue(msg.key);
  headers['ringleader-range'] = String(msg.range);
  headers['ringleader-partition'] = String(msg.partition);
  headers['ringleader-offset'] = msg.offset;
  headers['ringleader-attempt'] = String(msg.attempt);
  return headers;
}

/** The URL without its password (user kept, so it is still recognisable). */
export function redactUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

function snippet(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  if (text === '') return '';
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}
