import type { Kafka, Producer } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { deadLetterTopicOf } from './kafka-admin.js';
import type { RingMessage } from './message.js';

/** Longest error text kept in the `ringleader-error` header. */
export const MAX_ERROR_LENGTH = 1024;

export interface DeadLetterPublisher {
  /**
   * Writes `msg` to `<topic>.dlq`, partition = its range, with the error and
   * attempt count in headers. Resolves once every in-sync replica has it;
   * rejects otherwise, and the caller must not acknowledge the message then.
   */
  publish(msg: RingMessage, error: unknown, attempts: number): Promise<void>;
  close(): Promise<void>;
}

export interface DeadLetterOptions {
  kafka: Kafka;
  /** The work topic; dead letters go to `<topic>.dlq`. */
  topic: string;
  logger?: Logger;
}

export function createDeadLetterPublisher(opts: DeadLetterOptions): DeadLetterPublisher {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'dead-letter' });
  const dlqTopic = deadLetterTopicOf(opts.topic);
  // Idempotent so a retried send after a lost reply does not write the dead letter twice.
  const newProducer = (): Producer => opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  let producer = newProducer();
  let connecting: Promise<void> | null = null;
  let closePromise: Promise<void> | null = null;
  /** Producers replaced by a fresh one, closed once their sends are done. */
  const retiring = new Set<Promise<void>>();

  // Connect lazily: most pollers never dead-letter anything.
  function connected(): Promise<void> {
    connecting ??= producer.connect().catch((err: unknown) => {
      connecting = null;
      throw err;
    });
    return connecting;
  }

  async function send(msg: RingMessage, error: unknown, attempts: number): Promise<boolean> {
    await connected();
    const sent = await producer.send({
      topic: dlqTopic,
      acks: -1,
      messages: [{ partition: msg.range, key: msg.key, value: msg.value, headers: deadLetterHeaders(msg, error, attempts, new Date()) }],
    });
    return sent.some((r) => r.partition === msg.range);
  }

  /**
   * kafkajs sends nothing, and reports no error, for a partition its
   * metadata does not have yet (the topic grew with a resize; its metadata
   * is refreshed every few minutes): a fresh producer reads it anew.
   */
  function renew(): void {
    const old = producer;
    const wasConnected = connecting;
    producer = newProducer();
    connecting = null;
    if (wasConnected) {
      const closing = wasConnected.then(() => old.disconnect()).catch(() => undefined);
      retiring.add(closing);
      void closing.finally(() => retiring.delete(closing));
    }
  }

  async function publish(msg: RingMessage, error: unknown, attempts: number): Promise<void> {
    if (closePromise) throw new Error('dead-letter publisher is closed');
    if (!(await send(msg, error, attempts))) {
      log.info({ range: msg.range, dlq: dlqTopic }, 'dead-letter partition not in the producer\'s metadata: sending with a fresh producer');
      renew();
      if (!(await send(msg, error, attempts))) throw new Error(`partition ${msg.range} of ${dlqTopic} is not known to the brokers`);
    }
    log.warn(
      { range: msg.range, offset: msg.offset, attempts, dlq: dlqTopic, error: errorText(error) },
      'message dead-lettered',
    );
  }

  function close(): Promise<void> {
    closePromise ??= Promise.all([
      connecting ? connecting.then(() => producer.disconnect(), () => undefined) : Promise.resolve(),
      ...retiring,
    ]).then(() => undefined);
    return closePromise;
  }

  return { publish, close };
}

/** The original headers plus where the message came from and why it failed. */
export function deadLetterHeaders(
  msg: RingMessage,
  error: unknown,
  attempts: number,
  failedAt: Date,
): Record<string, string> {
  return {
    ...msg.headers,
    'ringleader-original-topic': msg.topic,
    'ringleader-original-range': String(msg.range),
    'ringleader-original-partition': String(msg.partition),
    'ringleader-original-offset': msg.offset,
    'ringleader-error': errorText(error),
    'ringleader-attempts': String(attempts),
    'ringleader-failed-at': failedAt.toISOString(),
  };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}
