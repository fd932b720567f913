import { oneLine } from './errors.js';

/**
 * One line for an error of either Kafka client, or null when it is not one.
 * Neither says it is about Kafka ("Connection error: connect ECONNREFUSED",
 * "Creating topics failed."), and @platformatic/kafka keeps the reason in
 * nested errors (`errors` of an AggregateError, `cause`), so the line names
 * the brokers and follows the chain down to the first error with a reason.
 */
export function kafkaErrorLine(err: unknown, brokers: string): string | null {
  const name = (err as { name?: unknown })?.name;
  const code = (err as { code?: unknown })?.code;
  if (typeof name === 'string' && name.startsWith('KafkaJS')) return `Kafka at ${brokers}: ${oneLine(err)}`;
  if (typeof code === 'string' && code.startsWith('PLT_KFK')) return `Kafka at ${brokers}: ${chain(err)}`;
  return null;
}

function chain(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    const text = oneLine(e).replace(/\.$/, '');
    if (text && !parts.includes(text)) parts.push(text);
    const nested = (e as { errors?: unknown[] }).errors;
    e = Array.isArray(nested) && nested.length > 0 ? nested[0] : (e as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}
