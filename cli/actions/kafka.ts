import type { Logger } from 'pino';
import { createKafka, kafkaClients, type KafkaClientName, type KafkaClients, type KafkaSecurity } from '../../poller/index.js';

/** A kafkajs client for one-shot commands: fail fast instead of retrying for minutes. */
export function cliKafka(brokers: string[], log: Logger, clientId = 'ringleader-cli', security?: KafkaSecurity) {
  return createKafka({ brokers, clientId, logger: log, connectionTimeout: 3_000, retry: { retries: 3, initialRetryTime: 300 }, ...(security ? { security } : {}) });
}

/** The Kafka clients of `--kafka-client` for one-shot commands, failing fast like cliKafka. */
export function cliKafkaClients(name: KafkaClientName, brokers: string[], log: Logger, clientId = 'ringleader-cli', security?: KafkaSecurity): Promise<KafkaClients> {
  return kafkaClients(name, { brokers, clientId, logger: log, failFast: true, ...(security ? { security } : {}) });
}

/** Errors that say a broker could not be reached or answered "not now" (kafkajs: retriable; @platformatic/kafka: canRetry). */
const UNREACHABLE = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound', 'KafkaJSNoBrokerAvailableError']);

/**
 * Whether a Kafka error of either client may pass if tried again shortly: a
 * broker down or not yet replaced as leader or controller (the chain of
 * causes is followed, as both clients wrap the reason).
 */
export function isTransientKafkaError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const x = e as { name?: unknown; retriable?: unknown; canRetry?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown[] };
    if (x.retriable === true || x.canRetry === true || (typeof x.name === 'string' && UNREACHABLE.has(x.name))) return true;
    e = x.originalError ?? x.cause ?? (Array.isArray(x.errors) ? x.errors[0] : undefined);
  }
  return false;
}
