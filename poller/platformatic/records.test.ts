import type { KafkaRecord, RecordsBatch } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { plainMessage } from '../fetched-message.js';
import { lastOffsetOf, toSourceMessages } from './records.js';

function record(offsetDelta: number, over: Partial<KafkaRecord> = {}): KafkaRecord {
  return { length: 0, attributes: 0, timestampDelta: BigInt(offsetDelta), offsetDelta, key: Buffer.from(`k${offsetDelta}`), value: Buffer.from(`v${offsetDelta}`), headers: [], ...over };
}

function batch(firstOffset: bigint, records: KafkaRecord[], attributes = 0): RecordsBatch {
  return {
    firstOffset, length: 0, partitionLeaderEpoch: 0, magic: 2, crc: 0, attributes,
    lastOffsetDelta: records.length === 0 ? 0 : records[records.length - 1]!.offsetDelta,
    firstTimestamp: 1_700_000_000_000n, maxTimestamp: 0n, producerId: -1n, producerEpoch: -1, firstSequence: -1, records,
  };
}

describe('platformatic records', () => {
  it('maps records to the handler shape from `from` on, skipping transaction markers', () => {
    const batches = [
      batch(10n, [record(0), record(1), record(2, { key: null, value: null, headers: [[Buffer.from('h'), Buffer.from('a')], [Buffer.from('h'), Buffer.from('b')], [Buffer.from('e'), null]] })]),
      batch(13n, [record(0)], 0b10_0000),
      batch(14n, [record(0)]),
    ];
    const out = toSourceMessages('t', 3, batches, 11n);
    expect(out.map((m) => m.offset)).toEqual(['11', '12', '14']);
    expect(plainMessage(out[0]!)).toEqual({ topic: 't', range: 3, partition: 3, offset: '11', key: 'k1', value: Buffer.from('v1'), headers: {}, timestamp: '1700000000001', attempt: 1 });
    expect(out[1]).toMatchObject({ key: null, value: Buffer.alloc(0), headers: { h: 'a, b', e: '' } });
    expect(lastOffsetOf(batches)).toBe(14n);
    expect(lastOffsetOf([])).toBeNull();
  });
});
