import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { SourceMessage } from '../range-source.js';

const EMPTY = Buffer.alloc(0);

/**
 * A kafkajs record in the shape handlers get. Keys are decoded as UTF-8 (the
 * handler contract has string keys); a missing value is an empty buffer.
 */
export function toSourceMessage(topic: string, range: number, m: KafkaMessage): SourceMessage {
  return {
    topic,
    range,
    partition: range,
    offset: m.offset,
    key: m.key ? m.key.toString('utf8') : null,
    value: m.value ?? EMPTY,
    headers: m.headers ? toStringHeaders(m.headers) : {},
    timestamp: m.timestamp,
    attempt: 1,
  };
}

function toStringHeaders(headers: IHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    // Kafka allows a header name more than once; HTTP-style joining keeps every value.
    out[name] = Array.isArray(v) ? v.map((x) => x.toString()).join(', ') : v.toString();
  }
  return out;
}
