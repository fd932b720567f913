import { CompressionTypes } from 'kafkajs';
import type { Kafka, Message } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createRangePartitioner, rangeOf } from '../ring/index.js';
import { describeTopic } from './kafka-admin.js';
import { sendEveryPartition } from './send-every-partition.js';
import { sleep } from '../coordinator/index.js';

export interface ProduceProgress {
  sent: number;
  total: number;
  ratePerSec: number;
}

/** Sends one batch of load messages (a Kafka producer of either client), acks from every in-sync replica. */
export interface LoadSender {
  send(messages: { key: string; value: string }[]): Promise<void>;
  close(): Promise<void>;
}

export interface ProduceOptions extends LoadOptions {
  kafka: Kafka;
}

export interface LoadOptions {
  topic: string;
  count: number;
  /** Distinct keys, `key-0` .. `key-<keys-1>`; message i gets `key-<i % keys>`. */
  keys: number;
  /** Messages per second; unset = as fast as the broker takes them. */
  rate?: number;
  /** Approximate value size in bytes (the JSON is padded up to it). */
  size: number;
  /** Messages per send request. */
  batchSize?: number;
  onProgress?: (p: ProduceProgress) => void;
  /** Stops after the batch in flight; resolves with what was sent. */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface ProduceResult {
  sent: number;
  ms: number;
}

/**
 * The value of load message `id`. Tests and the demo check order and loss
 * with it: `id` is unique, `seq` counts up by one per key from 0.
 */
export interface LoadValue {
  id: number;
  key: string;
  seq: number;
  pad: string;
}

export function loadKey(id: number, keys: number): string {
  return `key-${id % keys}`;
}

export function loadValue(id: number, keys: number, size: number): string {
  const key = loadKey(id, keys);
  const seq = Math.floor(id / keys);
  const bare = `{"id":${id},"key":"${key}","seq":${seq},"pad":""}`;
  return `{"id":${id},"key":"${key}","seq":${seq},"pad":"${'x'.repeat(Math.max(0, size - bare.length))}"}`;
}

/** Sends `count` keyed messages with kafkajs, each key to partition `rangeOf(key, R)`. */
export async function produceMessages(opts: ProduceOptions): Promise<ProduceResult> {
  const producer = opts.kafka.producer({ createPartitioner: createRangePartitioner, allowAutoTopicCreation: false });
  return produceLoad(opts, async () => {
    // Each message names its partition, so that what a send left unwritten can be told and sent again.
    const partitions = await describeTopic(opts.kafka, opts.topic);
    await producer.connect();
    return {
      send: async (messages) => {
        const placed: Message[] = messages.map((m) => ({ ...m, partition: rangeOf(m.key, partitions) }));
        await sendEveryPartition(producer, { topic: opts.topic, acks: -1, compression: CompressionTypes.None, messages: placed });
      },
      close: () => producer.disconnect(),
    };
  });
}

/** Sends `count` keyed messages through the sender `connect` makes (closed at the end, whatever happens). */
export async function produceLoad(opts: LoadOptions, connect: () => Promise<LoadSender>): Promise<ProduceResult> {
  const { topic, count, keys, size } = opts;
  for (const [name, v] of [['count', count], ['keys', keys], ['size', size]] as const) {
    if (!Number.isSafeInteger(v) || v < (name === 'keys' ? 1 : 0)) {
      throw new RangeError(`${name} must be a ${name === 'keys' ? 'positive' : 'non-negative'} integer, got ${v}`);
    }
  }
  if (opts.rate !== undefined && !(opts.rate > 0)) throw new RangeError(`rate must be > 0, got ${opts.rate}`);
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'load-producer', topic });
  // With a rate, send small batches often so the flow is steady, not bursty.
  const batchSize = Math.max(
    1,
    opts.batchSize ?? (opts.rate !== undefined ? Math.min(500, Math.ceil(opts.rate / 20)) : 500),
  );

  const sender = await connect();
  const started = performance.now();
  let sent = 0;
  let lastReport = started;
  try {
    while (sent < count && !opts.signal?.aborted) {
      if (opts.rate !== undefined) {
        // Keep to the schedule: message n is due at n / rate seconds.
        const dueMs = started + (sent / opts.rate) * 1000;
        const wait = dueMs - performance.now();
        if (wait > 0) await sleep(wait, opts.signal, { holdProcess: true });
        if (opts.signal?.aborted) break;
      }
      const n = Math.min(batchSize, count - sent);
      const messages: { key: string; value: string }[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const id = sent + i;
        messages[i] = { key: loadKey(id, keys), value: loadValue(id, keys, size) };
      }
      await sender.send(messages);
      sent += n;
      const now = performance.now();
      if (opts.onProgress && (now - lastReport >= 1000 || sent === count)) {
        lastReport = now;
        opts.onProgress({ sent, total: count, ratePerSec: Math.round((sent * 1000) / Math.max(1, now - started)) });
      }
    }
  } finally {
    await sender.close();
  }
  const ms = Math.round(performance.now() - started);
  log.info({ sent, ms }, 'messages produced');
  return { sent, ms };
}
