import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decimalOffset, offsetNumber, plainMessage } from './fetched-message.js';
import { toSourceMessage } from './kafka-source/source-message.js';
import type { KafkaMessage } from 'kafkajs';

const fetched = () =>
  toSourceMessage('t', 2, {
    offset: '41', key: Buffer.from('user-7'), value: Buffer.from('v'), timestamp: '1700000000000',
    attributes: 0, size: 0, headers: { trace: Buffer.from('abc') },
  } as unknown as KafkaMessage);

describe('FetchedMessage', () => {
  const plain = {
    topic: 't', range: 2, partition: 2, offset: '41', key: 'user-7', value: Buffer.from('v'),
    headers: { trace: 'abc' }, timestamp: '1700000000000', attempt: 1,
  };

  it('shows every field to JSON.stringify and util.inspect, as a plain message would', () => {
    const m = fetched();
    expect(JSON.parse(JSON.stringify(m))).toEqual(JSON.parse(JSON.stringify(plain)));
    expect(inspect(m)).toBe(inspect(plain));
  });

  it('copies to a plain object with every field, the attempt replaced if asked', () => {
    const m = fetched();
    expect(plainMessage(m)).toEqual(plain);
    expect(plainMessage(m, 3)).toEqual({ ...plain, attempt: 3 });
    expect(Object.getPrototypeOf(plainMessage(m))).toBe(Object.prototype);
  });

  it('gives the poller the offset as a number, for fetched and plain messages alike', () => {
    const m = fetched();
    expect(offsetNumber(m)).toBe(41);
    expect(offsetNumber(plainMessage(m))).toBe(41);
  });

  it('reads decimal offsets as Number() does', () => {
    for (const s of ['0', '7', '41', '123456789012345', '9007199254740991', '', '12a', '-1', ' 5', '1e3']) {
      expect(decimalOffset(s)).toBe(Number(s));
    }
  });

  it('decodes the key once and lets a handler replace key, headers and timestamp', () => {
    const m = fetched();
    expect(m.key).toBe('user-7');
    expect(m.key).toBe(m.key);
    m.key = null;
    m.headers = { a: '1' };
    m.timestamp = '5';
    m.attempt = 2;
    expect(plainMessage(m)).toEqual({ ...plain, key: null, headers: { a: '1' }, timestamp: '5', attempt: 2 });
  });
});
