// A plain kafkajs consumer reading the run's topic beside the pollers: the
// baseline for how long a broker kill stalls a consumer that does nothing but
// follow partition leaders. Each message it receives is appended to an NDJSON
// file as {partition, offset, at}; the checker reads its gaps around each kill.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Consumer, Kafka } from 'kafkajs';

export interface PlainConsumed {
  partition: number;
  offset: number;
  /** When the consumer received it (its batch). */
  at: number;
}

export interface PlainConsumer {
  stop(): Promise<void>;
}

/** Joins a group of its own, reads `topic` from the end, records every message; resolves once it has joined. */
export async function startPlainConsumer(o: { kafka: Kafka; topic: string; groupId: string; file: string; sessionTimeoutMs: number }): Promise<PlainConsumer> {
  const consumer: Consumer = o.kafka.consumer({
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeoutMs,
    heartbeatInterval: Math.floor(o.sessionTimeoutMs / 3),
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const fd = openSync(o.file, 'a');
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: false });
  await consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: 32,
    eachBatch: async ({ batch }) => {
      const at = Date.now();
      const lines = batch.messages.map((m) => JSON.stringify({ partition: batch.partition, offset: Number(m.offset), at } satisfies PlainConsumed));
      if (lines.length) writeSync(fd, `${lines.join('\n')}\n`);
    },
  });
  await joined;
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      stopping ??= consumer.disconnect().catch(() => undefined).finally(() => closeSync(fd));
      return stopping;
    },
  };
}
