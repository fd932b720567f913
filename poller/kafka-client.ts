import { Kafka, logLevel } from 'kafkajs';
import type { LogEntry, RetryOptions } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { kafkajsSecurity, type KafkaSecurity } from './kafka-security.js';

// We always pass our own range partitioner to producers, so kafkajs's notice
// about its default partitioner having changed in v2 is noise for us.
process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

export interface CreateKafkaOptions {
  brokers: string[];
  clientId: string;
  logger?: Logger;
  connectionTimeout?: number;
  requestTimeout?: number;
  retry?: RetryOptions;
  /** SASL and TLS (SECURITY.md); default: plaintext, no authentication. */
  security?: KafkaSecurity;
}

/** A kafkajs client whose logs go to pino (child `{component: 'kafkajs'}`). */
export function createKafka(opts: CreateKafkaOptions): Kafka {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeout ?? 3000,
    ...(opts.requestTimeout !== undefined ? { requestTimeout: opts.requestTimeout } : {}),
    ...(opts.retry !== undefined ? { retry: opts.retry } : {}),
    ...kafkajsSecurity(opts.security),
    // kafkajs formats every entry before calling us; telling it the pino
    // level up front skips that work for entries pino would drop anyway.
    logLevel: kafkajsLevelFor(log),
    logCreator: () => (entry: LogEntry) => forward(log, entry),
  });
}

function kafkajsLevelFor(log: Logger): logLevel {
  if (log.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (log.isLevelEnabled('debug')) return logLevel.INFO;
  if (log.isLevelEnabled('warn')) return logLevel.WARN;
  if (log.isLevelEnabled('error')) return logLevel.ERROR;
  return logLevel.NOTHING;
}

// kafkajs INFO is chatty (every join, pause and resume), so it becomes debug.
function forward(log: Logger, { namespace, level, log: entry }: LogEntry): void {
  const { message, timestamp: _timestamp, logger: _logger, error, stack, ...extra } = entry;
  const fields: Record<string, unknown> = { namespace, ...extra };
  if (error !== undefined || stack !== undefined) {
    fields['err'] = { message: typeof error === 'string' ? error : String(error ?? message), stack };
  }
  switch (level) {
    case logLevel.ERROR:
      log.error(fields, message);
      break;
    case logLevel.WARN:
      log.warn(fields, message);
      break;
    case logLevel.INFO:
      log.debug(fields, message);
      break;
    default:
      log.trace(fields, message);
  }
}
