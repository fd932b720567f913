import { Producer, ProduceAcks } from '@platformatic/kafka';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { deadLetterHeaders, type DeadLetterPublisher } from '../dead-letter.js';
import { deadLetterTopicOf } from '../kafka-admin.js';
import type { RingMessage } from '../message.js';
import { platformaticBaseOptions, type PlatformaticConnectOptions } from './client-options.js';

export interface PlatformaticDeadLetterOptions {
  connection: PlatformaticConnectOptions;
  /** The work topic; dead letters go to `<topic>.dlq`. */
  topic: string;
  logger?: Logger;
}

/** The dead-letter publisher of dead-letter.ts on @platformatic/kafka: same topic, partition, headers and guarantees. */
export function createPlatformaticDeadLetterPublisher(opts: PlatformaticDeadLetterOptions): DeadLetterPublisher {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'dead-letter' });
  const dlqTopic = deadLetterTopicOf(opts.topic);
  // Made on first use: most pollers never dead-letter anything. Idempotent so
  // a retried send after a lost reply does not write the dead letter twice.
  let producer: Producer<Buffer, Buffer, string, string> | null = null;
  let closed = false;

  async function publish(msg: RingMessage, error: unknown, attempts: number): Promise<void> {
    if (closed) throw new Error('dead-letter publisher is closed');
    const base = platformaticBaseOptions(opts.connection);
    producer ??= new Producer({
      ...base,
      // The client retries an idempotent send forever when given 1 retry or fewer: a missing topic must fail.
      retries: Math.max(2, typeof base.retries === 'number' ? base.retries : 2),
      idempotent: true,
      acks: ProduceAcks.ALL,
      serializers: { headerKey: (s?: string) => (s === undefined ? undefined : Buffer.from(s)), headerValue: (s?: string) => (s === undefined ? undefined : Buffer.from(s)) },
    });
    await knowsPartition(producer, msg.range);
    const headers = deadLetterHeaders(msg, error, attempts, new Date());
    await producer.send({
      messages: [{ topic: dlqTopic, partition: msg.range, ...(msg.key !== null ? { key: Buffer.from(msg.key) } : {}), value: msg.value, headers }],
    });
    log.warn({ range: msg.range, offset: msg.offset, attempts, dlq: dlqTopic, error: headers['ringleader-error'] }, 'message dead-lettered');
  }

  /**
   * The client takes a partition modulo the partition count it has cached:
   * after the topic grew (a resize), a dead letter of a new range would land
   * in an old partition. Metadata is read anew when the cached count is short.
   */
  async function knowsPartition(p: Producer<Buffer, Buffer, string, string>, partition: number): Promise<void> {
    const count = async (forceUpdate: boolean) => (await p.metadata({ topics: [dlqTopic], forceUpdate })).topics.get(dlqTopic)?.partitionsCount ?? 0;
    if ((await count(false)) > partition || (await count(true)) > partition) return;
    throw new Error(`partition ${partition} of ${dlqTopic} is not known to the brokers`);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await producer?.close();
  }

  return { publish, close };
}
