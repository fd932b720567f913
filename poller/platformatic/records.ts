import { IS_CONTROL, type KafkaRecord, type RecordsBatch } from '@platformatic/kafka';
import { FetchedMessage } from '../fetched-message.js';
import type { SourceMessage } from '../range-source.js';

const EMPTY = Buffer.alloc(0);

/**
 * The records of fetched batches at or above `from`, in the shape handlers
 * get: keys decoded as UTF-8 when first read, a missing value as an empty
 * buffer, a header named more than once joined with ', ' (as the kafkajs
 * source does).
 */
export function toSourceMessages(topic: string, range: number, batches: RecordsBatch[], from: bigint): SourceMessage[] {
  const out: SourceMessage[] = [];
  // Offsets and timestamps as numbers (exact: both stay far below 2^53): a
  // bigint sum and its string per record cost more than the rest of the mapping.
  const start = Number(from);
  for (const batch of batches) {
    if (batch.attributes & IS_CONTROL) continue;
    const first = Number(batch.firstOffset);
    const firstTimestamp = Number(batch.firstTimestamp);
    for (const record of batch.records) {
      const offset = first + record.offsetDelta;
      if (offset < start) continue;
      out.push(new PlatformaticMessage(topic, range, offset, record.key ?? null, record.value ?? EMPTY, firstTimestamp + Number(record.timestampDelta), record.headers));
    }
  }
  return out;
}

/** The offset of the last record the batches covered, filtered records and markers included; null for none. */
export function lastOffsetOf(batches: RecordsBatch[]): bigint | null {
  const last = batches[batches.length - 1];
  return last ? last.firstOffset + BigInt(last.lastOffsetDelta) : null;
}

class PlatformaticMessage extends FetchedMessage {
  constructor(topic: string, range: number, offset: number, key: Buffer | null, value: Buffer, timestamp: number, private readonly rawHeaders: KafkaRecord['headers']) {
    super(topic, range, offset, key, value, timestamp);
  }

  protected decodeHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.rawHeaders) {
      if (!k) continue;
      const name = k.toString();
      const value = v ? v.toString() : '';
      out[name] = name in out ? `${out[name]}, ${value}` : value;
    }
    return out;
  }
}
