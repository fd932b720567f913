// The load of a chaos run: keyed messages at a steady rate, each value
// `{"id","key","seq","pad"}` (poller/load-producer.ts), with every message's
// partition and offset taken from the broker's send results and appended to
// an NDJSON file: {id, key, seq, partition, offset, ackAt}.
import { openSync, closeSync, writeSync } from 'node:fs';
import type { RingProducer } from '../../poller/index.js';
import { loadKey, loadValue } from '../../poller/load-producer.js';

export interface ProducedRecord {
  id: number;
  key: string;
  seq: number;
  partition: number;
  offset: number;
  ackAt: number;
}

export interface LoadOptions {
  /** A producer that follows the group: it sends with the group's R, and a resize pauses it. */
  producer: Pick<RingProducer, 'send'>;
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
  // The ring producer is idempotent with acks=all: a send retried across a
  // broker kill is written once, and what is acknowledged is on 2 of the 3
  // replicas at least. Its retries never run out, so a send blocks through a
  // failover (or a resize's cut-over) rather than fail; the ticks it missed
  // are sent when it returns.
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
      const ids = Array.from({ length: perTick }, (_, i) => next + i);
      try {
        const placed = await o.producer.send(ids.map((id) => ({ key: loadKey(id, o.keys), value: loadValue(id, o.keys, o.size) })));
        const ackAt = Date.now();
        const lines = ids.map((id, i) => {
          const rec: ProducedRecord = { id, key: loadKey(id, o.keys), seq: Math.floor(id / o.keys), partition: placed[i]!.partition, offset: Number(placed[i]!.offset), ackAt };
          return JSON.stringify(rec);
        });
        writeSync(fd, `${lines.join('\n')}\n`);
      } catch (err) {
        // Not acknowledged: these ids may or may not be in the topic; the ids
        // are not reused (the checker counts them as unacknowledged sends).
        // The ring producer sends the next ones with a fresh Kafka producer.
        failedSends++;
        o.onError?.(err);
      }
      next += perTick;
    }
  } finally {
    closeSync(fd);
  }
  return { sent: next, failedSends };
}
