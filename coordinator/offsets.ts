/**
 * Offsets are decimal strings at the edges (Kafka's API, the `offsets/<range>`
 * znodes, the messages handed to handlers) and safe integers (`number`)
 * everywhere inside the process. A partition would need 2^53 messages before
 * that stops being exact (at a million messages a second, 285 years), so a
 * larger offset is refused at the edge rather than rounded.
 */
export type Offset = number;

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Parses an offset from its decimal form; throws a RangeError on anything else or above 2^53 - 1. */
export function offsetFromString(text: string): Offset {
  if (!DECIMAL.test(text)) throw new RangeError(`offset must be a non-negative decimal integer, got ${JSON.stringify(text)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`offset ${text} is above ${Number.MAX_SAFE_INTEGER}, the largest this process can track exactly`);
  return n;
}

/** The decimal form of an offset, for Kafka and znodes. */
export function offsetToString(offset: Offset): string {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`not an offset: ${offset}`);
  return String(offset);
}
