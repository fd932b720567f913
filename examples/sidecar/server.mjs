#!/usr/bin/env node
// A tiny HTTP sidecar for `ringleader poller --forward http://127.0.0.1:8080/messages`.
// Plain Node, no dependencies. Each POST is one message: the body is the
// message value, the ringleader-* headers say where it came from. Answering
// 2xx acknowledges it; 5xx/408/429 (or {"status":"RETRY"}) asks for a retry;
// other 4xx (or {"status":"DROP"}) sends it to the dead-letter topic.
//
//   PORT=8080 HOST=127.0.0.1 node examples/sidecar/server.mjs
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '127.0.0.1';
let handled = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/messages') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const h = req.headers;
    // Keys and header values arrive percent-encoded (UTF-8 safe in HTTP headers).
    const key = h['ringleader-key'] === undefined ? null : decodeURIComponent(String(h['ringleader-key']));
    handled++;
    // One JSON line per message, like the poller's own logs.
    console.log(JSON.stringify({
      msg: 'handled',
      key,
      range: Number(h['ringleader-range']),
      partition: Number(h['ringleader-partition']),
      offset: h['ringleader-offset'],
      attempt: Number(h['ringleader-attempt']),
      bytes: body.length,
      handled,
    }));
    // Your work goes here. Throwing would answer 500: ringleader retries.
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"SUCCESS"}');
  });
});

server.listen(port, host, () => console.log(JSON.stringify({ msg: 'sidecar listening', url: `http://${host}:${port}/messages` })));
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => server.close(() => process.exit(0)));
