// What the poller-side shim (netns-shim.ts, inside the poller's network
// namespace) and the chaos run's partition switch (network-partition.ts)
// agree on: the environment that configures the shim and the first line of
// every link.

export const SHIM_ENV = {
  /** The chaos run's Unix socket (a file path). */
  socket: 'CHAOS_NET_SOCKET',
  /** Who we are: "<poller>#<incarnation>", sent first on every link. */
  key: 'CHAOS_NET_KEY',
  /** Comma-separated loopback ports to carry (ZooKeeper client ports, Kafka brokers). */
  ports: 'CHAOS_NET_PORTS',
} as const;

/** The first line of every link: who dials which loopback port. */
export function linkHeader(key: string, port: number): string {
  return `${key} ${port}\n`;
}

/** The header's key and port, or null when the line is not one. */
export function parseLinkHeader(line: string): { key: string; port: number } | null {
  const m = /^(\S+) (\d+)$/.exec(line);
  return m ? { key: m[1] as string, port: Number(m[2]) } : null;
}
