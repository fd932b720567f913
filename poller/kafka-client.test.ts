import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createKafka } from './kafka-client.js';

function capture(level: string): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('createKafka logging', () => {
  it('forwards kafkajs logs to pino under component kafkajs, INFO as debug', async () => {
    const { logger, lines } = capture('debug');
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', logger });
    const log = kafka.logger().namespace('Consumer');
    log.info('joined', { groupId: 'g' });
    log.error('crashed', { error: 'boom', stack: 'at x' });
    log.debug('too chatty');
    await flush();

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 20, component: 'kafkajs', namespace: 'Consumer', groupId: 'g', msg: 'joined' });
    expect(lines[1]).toMatchObject({ level: 50, component: 'kafkajs', msg: 'crashed', err: { message: 'boom', stack: 'at x' } });
  });

  it('drops everything kafkajs says when the logger is silent', async () => {
    const { logger, lines } = capture('silent');
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', logger });
    kafka.logger().error('nobody hears this');
    await flush();
    expect(lines).toEqual([]);
  });
});
