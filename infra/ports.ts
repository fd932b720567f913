import { createServer, type Server } from 'node:net';
import { InfraError } from './errors.js';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct ports the OS says are free right now. All are held open
 * together before release so the same port is never handed out twice.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0, host));
    return servers.map((s) => {
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('unexpected listening address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error('no port');
  return port;
}

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  try {
    await close(await listen(port, host));
    return true;
  } catch {
    return false;
  }
}

/** Fails fast, before a JVM starts and dies with a bind error buried in its log. */
export async function assertPortsFree(ports: { port: number; what: string; flag?: string }[], host = '127.0.0.1'): Promise<void> {
  for (const { port, what, flag } of ports) {
    if (!(await isPortFree(port, host))) {
      const hint = flag ? `; stop whatever holds it or pass ${flag} <other port>` : '; stop whatever holds it';
      throw new InfraError(`port ${host}:${port} (${what}) is already in use${hint}`);
    }
  }
}
