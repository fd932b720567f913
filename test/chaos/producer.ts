// The load of a chaos run: keyed messages at a steady rate, each value
// `{"id","key","seq","pad"}` (poller/load-producer.ts), with every message's
// partition and offset taken from the broker's send results and appended to
// an NDJSON file: {id, key, seq, partition, offset, ackAt}.
import { openSync, closeSync, writeSync } from 'node:fs';
import { CompressionTypes, type Kafka, type Message } from 'kafkajs';
import { createRangePartitioner, rangeOf } from '../../ring/index.js';
import { loadKey, loadValue } from '../../poller/load-producer.js';
import { sendEveryPartition } from '../../poller/send-every-partition.js';

export interface ProducedRecord {
  id: number;
  key: string;
  seq: number;
  partition: number;
  offset: number;
  ackAt: number;
}

export interface LoadOptions {
  kafka: Kafka;
  topic: string;
  ranges: number;
  keys: number;
  /** Messages per second. */
  rate: number;
  size: number;
  file: string;
  signal: AbortSignal;
  onError?: (err: unknown) => void;
}

export interface LoadResult {
  sent: number;
  failedSends: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  // Idempotent with acks=all: a send retried across a broker kill is written
  // once, and what is acknowledged is on 2 of the 3 replicas at least. Its
  // retries never run out, so a send blocks through a failover rather than
  // fail (the ticks it missed are sent when it returns).
  const newProducer = () => o.kafka.producer({ createPartitioner: createRangePartitioner, allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  let producer = newProducer();
  await producer.connect();
  const fd = openSync(o.file, 'a');
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((o.rate * tickMs) / 1000));
  const started = Date.now();
  let next = 0;
  let failedSends = 0;
  let ticks = 0;
  try {
    while (!o.signal.aborted) {
      const due = started + ticks * tickMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (o.signal.aborted) break;
      ticks++;
      const ids: number[] = [];
      const messages: Message[] = [];
      for (let i = 0; i < perTick; i++) {
        const id = next + i;
        ids.push(id);
        messages.push({ key: loadKey(id, o.keys), value: loadValue(id, o.keys, o.size) });
      }
      try {
        const meta = await sendEveryPartition(producer, { topic: o.topic, acks: -1, compression: CompressionTypes.None, messages }, (m) => rangeOf(String(m.key), o.ranges));
        const ackAt = Date.now();
        const base = new Map<number, number>();
        for (const m of meta) base.set(m.partition, Number(m.baseOffset));
        // Within one request, a partition's messages get consecutive offsets in send order.
        const lines: string[] = [];
        for (const id of ids) {
          const key = loadKey(id, o.keys);
          const partition = rangeOf(key, o.ranges);
          const offset = base.get(partition);
          if (offset === undefined) throw new Error(`no send result for partition ${partition}`);
          base.set(partition, offset + 1);
          const rec: ProducedRecord = { id, key, seq: Math.floor(id / o.keys), partition, offset, ackAt };
          lines.push(JSON.stringify(rec));
        }
        writeSync(fd, `${lines.join('\n')}\n`);
        next += perTick;
      } catch (err) {
        // Not acknowledged: these ids may or may not be in the topic; the ids
        // are not reused (the checker counts them as unacknowledged sends).
        failedSends++;
        next += perTick;
        o.onError?.(err);
        // kafkajs rolls a partition's sequence number back when a request
        // fails, even one the broker wrote; the next batch would then reuse
        // it, and the broker would take it for a duplicate of the written one:
        // acknowledged at that batch's offset, never written (seed 1, 600 s,
        // lost 4). A new producer gets a new producer id and fresh sequences.
        await producer.disconnect().catch(() => undefined);
        producer = newProducer();
        await producer.connect().catch((e: unknown) => o.onError?.(e));
      }
    }
  } finally {
    closeSync(fd);
    await producer.disconnect().catch(() => undefined);
  }
  return { sent: next, failedSends };
}
