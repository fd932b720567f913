import { inspect } from 'node:util';
import type { RingMessage } from './message.js';

/**
 * A fetched record in the shape handlers get, whose key, headers, timestamp
 * and offset string are made from the record only when first read.
 *
 * Decoding the key as UTF-8 was the largest single cost the poller added to
 * a plain consumer, and a handler that only needs the value, or the poller
 * itself with concurrency 1, never reads it. The poller reads the offset as
 * a number (`offsetNumber()`), which is what one client gives. Every other
 * field is a plain one. JSON.stringify and util.inspect show every field;
 * an object spread copies own fields only, so copy one with `plainMessage()`.
 *
 * Few fields on purpose: one object is made per fetched record. The raw and
 * the decoded form of a field share one slot.
 */
export abstract class FetchedMessage implements RingMessage {
  readonly partition: number;
  attempt = 1;
  private decodedHeaders: Record<string, string> | undefined = undefined;

  /**
   * `keySlot`: the raw key until read, then its string. `offsetSlot` and
   * `timestampSlot`: as the client gave them (a decimal string or a number).
   */
  constructor(
    readonly topic: string,
    readonly range: number,
    private offsetSlot: string | number,
    private keySlot: Buffer | string | null,
    public value: Buffer,
    private timestampSlot: string | number,
  ) {
    this.partition = range;
  }

  get offset(): string {
    return decimalText(this.offsetSlot);
  }

  set offset(offset: string) {
    this.offsetSlot = offset;
  }

  /** The offset as a number (exact: offsets stay far below 2^53). */
  get offsetValue(): number {
    const o = this.offsetSlot;
    return typeof o === 'number' ? o : decimalOffset(o);
  }

  get key(): string | null {
    const k = this.keySlot;
    if (k === null || typeof k === 'string') return k;
    const decoded = k.toString('utf8');
    this.keySlot = decoded;
    return decoded;
  }

  set key(key: string | null) {
    this.keySlot = key;
  }

  get headers(): Record<string, string> {
    if (this.decodedHeaders === undefined) this.decodedHeaders = this.decodeHeaders();
    return this.decodedHeaders;
  }

  set headers(headers: Record<string, string>) {
    this.decodedHeaders = headers;
  }

  get timestamp(): string {
    return decimalText(this.timestampSlot);
  }

  set timestamp(timestamp: string) {
    this.timestampSlot = timestamp;
  }

  toJSON(): RingMessage {
    return plainMessage(this);
  }

  [inspect.custom](): RingMessage {
    return plainMessage(this);
  }

  /** The record's headers, a name given more than once joined with ', '. */
  protected abstract decodeHeaders(): Record<string, string>;
}

/** A slot's decimal string, made from the number a client gave. */
function decimalText(slot: string | number): string {
  return typeof slot === 'string' ? slot : String(slot);
}

/**
 * A decimal offset string as a number: a digit loop is about twice as fast
 * as Number() on the fresh strings a client makes, once per message. Anything
 * else (too long to be exact, not digits) goes to Number().
 */
export function decimalOffset(s: string): number {
  const n = s.length;
  if (n === 0 || n > 15) return Number(s);
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(s);
    v = v * 10 + d;
  }
  return v;
}

/** The offset of `msg` as a number, without making its string when it was fetched as a number. */
export function offsetNumber(msg: RingMessage): number {
  return msg instanceof FetchedMessage ? msg.offsetValue : Number(msg.offset);
}

/** A plain-object copy of `msg` with every field read (and `attempt` replaced if given). */
export function plainMessage(msg: RingMessage, attempt = msg.attempt): RingMessage {
  return {
    topic: msg.topic,
    range: msg.range,
    partition: msg.partition,
    offset: msg.offset,
    key: msg.key,
    value: msg.value,
    headers: msg.headers,
    timestamp: msg.timestamp,
    attempt,
  };
}
