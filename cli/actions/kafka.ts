import type { Logger } from 'pino';
import { createKafka, type KafkaSecurity } from '../../poller/index.js';

/** A kafkajs client for one-shot commands: fail fast instead of retrying for minutes. */
export function cliKafka(brokers: string[], log: Logger, clientId = 'ringleader-cli', security?: KafkaSecurity) {
  return createKafka({ brokers, clientId, logger: log, connectionTimeout: 3_000, retry: { retries: 3, initialRetryTime: 300 }, ...(security ? { security } : {}) });
}
