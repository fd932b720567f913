import type { IHeaders, KafkaMessage } from 'kafkajs';
import { FetchedMessage } from '../fetched-message.js';
import type { SourceMessage } from '../range-source.js';

const EMPTY = Buffer.alloc(0);

/**
 * A kafkajs record in the shape handlers get. Keys are decoded as UTF-8 (the
 * handler contract has string keys) when first read; a missing value is an
 * empty buffer.
 */
export function toSourceMessage(topic: string, range: number, m: KafkaMessage): SourceMessage {
  return new KafkajsMessage(topic, range, m.offset, m.key ?? null, m.value ?? EMPTY, m.timestamp, m.headers);
}

class KafkajsMessage extends FetchedMessage {
  constructor(topic: string, range: number, offset: string, key: Buffer | null, value: Buffer, timestamp: string, private readonly rawHeaders: IHeaders | undefined) {
    super(topic, range, offset, key, value, timestamp);
  }

  protected decodeHeaders(): Record<string, string> {
    const out: Record<string, string> = {};
    const headers = this.rawHeaders;
    if (!headers) return out;
    for (const name in headers) {
      const v = headers[name];
      if (v === undefined) continue;
      // Kafka allows a header name more than once; HTTP-style joining keeps every value.
      out[name] = Array.isArray(v) ? v.map((x) => x.toString()).join(', ') : v.toString();
    }
    return out;
  }
}
