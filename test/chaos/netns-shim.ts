// Loaded with `node --import` into a chaos poller started by `unshare --net`
// (test/chaos/network-partition.ts): the poller has a network namespace of
// its own whose loopback has nothing on it. Before the poller's code runs,
// this brings that loopback up and listens on the very addresses of the real
// ZooKeeper servers and Kafka brokers (127.0.0.1:<port>, free in a fresh
// namespace), and carries each connection over a Unix socket (a file: Unix
// sockets cross network namespaces) to the chaos run, which connects it to
// the real server and can silence it. So the poller keeps its usual
// addresses, and Kafka's advertised broker addresses are reached the same way.
//
// It lives inside the poller's own process, so a SIGKILL, SIGSTOP or SIGTERM
// of the poller is one of it too: nothing is left behind, nothing runs on
// while the poller is frozen. Its listeners and idle links do not keep the
// poller alive (unref).
import { execFileSync } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { linkHeader, SHIM_ENV } from './netns-protocol.js';

function listen(port: number, socketPath: string, key: string): Promise<Server> {
  // No Nagle on the relayed TCP side: a reply relayed in two writes would
  // otherwise wait for the poller's delayed ACK (40 ms) before its second half.
  const server = createServer({ noDelay: true }, (client) => {
    const link = connect(socketPath);
    link.write(linkHeader(key, port));
    client.pipe(link);
    link.pipe(client);
    client.on('error', () => link.destroy());
    link.on('error', () => client.destroy());
    client.on('close', () => link.destroy());
    link.on('close', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.unref();
      resolve(server);
    });
  });
}

const socketPath = process.env[SHIM_ENV.socket];
const key = process.env[SHIM_ENV.key];
const ports = (process.env[SHIM_ENV.ports] ?? '').split(',').filter(Boolean).map(Number);
if (!socketPath || !key || ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0)) {
  process.stderr.write(`netns-shim: ${SHIM_ENV.socket}, ${SHIM_ENV.key} and ${SHIM_ENV.ports} must be set (ports: "${process.env[SHIM_ENV.ports] ?? ''}")\n`);
  process.exit(2);
}
// A new network namespace's loopback is down.
execFileSync('ip', ['link', 'set', 'lo', 'up']);
await Promise.all(ports.map((p) => listen(p, socketPath, key)));
