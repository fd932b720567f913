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
