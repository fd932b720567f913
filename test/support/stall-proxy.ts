// A TCP proxy in front of a real server that can stall: it stops moving
// bytes both ways, as a network hiccup does, while the connections stay open.
// Requests sent meanwhile wait in the proxy and reach the server on resume.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export class StallProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private stalled = false;

  /** `target` is a `host:port` (the first of a connect string). */
  constructor(private readonly target: string) {}

  /** Starts listening on a loopback port; resolves with the proxy's `host:port`. */
  async start(): Promise<string> {
    const [host, port] = ((this.target.split(',')[0] as string).split('/')[0] as string).split(':') as [string, string];
    const server = createServer((client) => {
      const upstream = connect(Number(port), host);
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(from);
        from.on('data', (chunk) => to.write(chunk));
        from.on('close', () => {
          this.sockets.delete(from);
          to.destroy();
        });
        from.on('error', () => to.destroy());
        if (this.stalled) from.pause();
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Open sockets on either side (two per proxied connection). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Stops forwarding in both directions (reads pause; TCP backpressure does the rest). */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) s.pause();
  }

  resume(): void {
    this.stalled = false;
    for (const s of this.sockets) s.resume();
  }

  /** Closes every proxied connection (the server side and the client side), as a server restart does. */
  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
