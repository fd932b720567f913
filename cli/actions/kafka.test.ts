import { describe, expect, it } from 'vitest';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { NetworkError, AuthenticationError, MultipleErrors } from '@platformatic/kafka';
import { isTransientKafkaError } from './kafka.js';

describe('isTransientKafkaError', () => {
  it('says yes to a broker that is down, however the client wraps it', () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(isTransientKafkaError(refused)).toBe(true);
    expect(isTransientKafkaError(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 3, retryTime: 900 }))).toBe(true);
    expect(isTransientKafkaError(new NetworkError('Connection to 127.0.0.1:9092 failed.'))).toBe(true);
    expect(isTransientKafkaError(new MultipleErrors('Requests failed.', [new NetworkError('Connection failed.')]))).toBe(true);
  });

  it('says no to what waiting does not mend', () => {
    expect(isTransientKafkaError(new KafkaJSNonRetriableError('bad request'))).toBe(false);
    // What kafkajs makes of a broker's INVALID_PARTITIONS answer (its protocol errors carry the code's retriable flag).
    expect(isTransientKafkaError(Object.assign(new KafkaJSProtocolError('invalid partitions'), { retriable: false }))).toBe(false);
    expect(isTransientKafkaError(new AuthenticationError('SASL authentication failed.'))).toBe(false);
    expect(isTransientKafkaError(new Error('the topic orders does not exist'))).toBe(false);
    expect(isTransientKafkaError('ECONNREFUSED')).toBe(false);
  });
});
