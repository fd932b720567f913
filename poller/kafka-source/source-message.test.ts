import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { plainMessage } from '../fetched-message.js';
import { toSourceMessage } from './source-message.js';

const record = (m: Record<string, unknown>): KafkaMessage =>
  ({ offset: '7', key: null, value: null, timestamp: '1700000000000', attributes: 0, size: 0, headers: {}, ...m }) as unknown as KafkaMessage;

describe('toSourceMessage', () => {
  it('gives handlers a UTF-8 key, the value, string headers and the Kafka offset and timestamp as they are', () => {
    const m = toSourceMessage('t', 3, record({ key: Buffer.from('clé'), value: Buffer.from('v'), headers: { a: Buffer.from('1'), b: '2' } }));
    expect(plainMessage(m)).toEqual({
      topic: 't',
      range: 3,
      partition: 3,
      offset: '7',
      key: 'clé',
      value: Buffer.from('v'),
      headers: { a: '1', b: '2' },
      timestamp: '1700000000000',
      attempt: 1,
    });
  });

  it('maps a missing key to null, a missing value to an empty buffer, and joins repeated headers', () => {
    const m = toSourceMessage('t', 0, record({ headers: { h: [Buffer.from('x'), 'y'], gone: undefined } }));
    expect(m.key).toBeNull();
    expect(m.value).toEqual(Buffer.alloc(0));
    expect(m.headers).toEqual({ h: 'x, y' });
  });
});
