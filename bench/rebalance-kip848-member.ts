/**
 * A KIP-848 consumer-group member for bench:rebalance (group.protocol =
 * consumer: the broker assigns, incrementally), through @platformatic/kafka,
 * which needs Node >= 22.22 (bench:rebalance runs this worker with the Node
 * given by --node22). The session timeout is the broker's
 * (group.consumer.session.timeout.ms), so the benchmark starts a broker of
 * its own for this system. Each message's offset is committed after its
 * handling; partitions are handled side by side, each in order.
 *
 * The client is loaded by name at run time: the package need not be
 * installed unless this system runs.
 */
import type { HandleMessage, Member, WorkerConfig } from './rebalance-worker.js';

interface PlatformaticMessage {
  partition: number;
  offset: bigint;
  timestamp: bigint;
  commit(): Promise<void>;
}

interface PlatformaticStream {
  on(event: 'data', fn: (m: PlatformaticMessage) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  close(): Promise<void>;
}

interface PlatformaticConsumer {
  consume(options: Record<string, unknown>): Promise<PlatformaticStream>;
  close(force?: boolean): Promise<void>;
}

export const PLATFORMATIC_KAFKA = '@platformatic/kafka';

type PlatformaticLib = { Consumer: new (options: Record<string, unknown>) => PlatformaticConsumer };

/** Loads the client (the worker does so before it is told to join, so the join is not timed with it). */
export function loadKip848Client(): Promise<PlatformaticLib> {
  const name: string = PLATFORMATIC_KAFKA;
  return import(name) as Promise<PlatformaticLib>;
}

export async function startKip848GroupMember(config: WorkerConfig, handle: HandleMessage): Promise<Member> {
  const lib = await loadKip848Client();
  const consumer = new lib.Consumer({
    clientId: `bench-rebalance-${config.id}`,
    bootstrapBrokers: config.brokers,
    groupId: config.group,
    groupProtocol: 'consumer',
  });
  const stream = await consumer.consume({ topics: [config.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
  // Per partition, handlings one after the other; partitions side by side.
  const tails = new Map<number, Promise<void>>();
  stream.on('data', (m) => {
    const prev = tails.get(m.partition) ?? Promise.resolve();
    const next = prev
      .then(() => handle(m.partition, Number(m.offset), Number(m.timestamp)))
      .then(() => m.commit())
      .catch((err: unknown) => {
        process.stderr.write(`kip848 member ${config.id}: ${String(err)}\n`);
      });
    tails.set(m.partition, next);
  });
  stream.on('error', (err) => process.stderr.write(`kip848 member ${config.id}: stream: ${err.message}\n`));
  return {
    stop: async () => {
      await stream.close();
      await Promise.all(tails.values());
      await consumer.close();
    },
  };
}
