// A kafkajs client whose every broker connection runs through a stalling
// proxy of the test's own (loopback), so one poller can be cut off from
// Kafka — silently: connections stay open, no bytes move — while the others
// and ZooKeeper still reach it. Brokers are found through metadata, so the
// socket factory routes each address the client dials, not just the
// bootstrap list; an address no proxy was made for is refused loudly.
import net from 'node:net';
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { StallProxy } from './stall-proxy.js';

export interface CuttableKafka {
  kafka: Kafka;
  /** Stops every byte between this client and the brokers (open connections and new ones). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** `brokers` must be every address the cluster advertises (a single broker advertises its bootstrap address). */
export async function cuttableKafka(brokers: string[], clientId: string): Promise<CuttableKafka> {
  const proxies = new Map<string, { proxy: StallProxy; port: number }>();
  for (const address of brokers) {
    const proxy = new StallProxy(address);
    const local = await proxy.start();
    proxies.set(address, { proxy, port: Number(local.split(':')[1]) });
  }
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const via = proxies.get(`${host}:${port}`);
    if (!via) throw new Error(`cuttableKafka: no proxy for ${host}:${port}`);
    const socket = net.connect({ host: '127.0.0.1', port: via.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
  const kafka = new Kafka({ clientId, brokers, socketFactory, connectionTimeout: 1_000, logLevel: logLevel.NOTHING });
  return {
    kafka,
    cut: () => proxies.forEach(({ proxy }) => proxy.stall()),
    restore: () => proxies.forEach(({ proxy }) => proxy.resume()),
    close: async () => {
      await Promise.all([...proxies.values()].map(({ proxy }) => proxy.close()));
    },
  };
}
