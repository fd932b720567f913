import type { PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createRangePartitioner } from './partitioner.js';
import { rangeOf } from './range.js';

function metadata(count: number, leaderless: number[] = []): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));
}

describe('createRangePartitioner', () => {
  it('sends a keyed message to rangeOf(key, partitionCount), string or Buffer key', () => {
    const partition = createRangePartitioner();
    const partitionMetadata = metadata(12);
    for (let i = 0; i < 500; i++) {
      const key = `customer-${i}-é`;
      const expected = rangeOf(key, 12);
      expect(partition({ topic: 't', partitionMetadata, message: { key, value: 'v' } })).toBe(expected);
      expect(partition({ topic: 't', partitionMetadata, message: { key: Buffer.from(key), value: 'v' } })).toBe(expected);
    }
  });

  it('spreads keyless messages round-robin over partitions that have a leader', () => {
    const partition = createRangePartitioner();
    const partitionMetadata = metadata(4, [2]);
    const picks = Array.from({ length: 6 }, () =>
      partition({ topic: 't', partitionMetadata, message: { key: null, value: 'v' } }),
    );
    expect(picks).toEqual([0, 1, 3, 0, 1, 3]);
    const all = createRangePartitioner();
    const seen = Array.from({ length: 5 }, () =>
      all({ topic: 't', partitionMetadata: metadata(5), message: { value: 'v' } }),
    );
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });

  it('fails clearly without partition metadata', () => {
    const partition = createRangePartitioner();
    expect(() => partition({ topic: 'orders', partitionMetadata: [], message: { key: 'k', value: 'v' } })).toThrow(
      /orders has no partition metadata/,
    );
  });
});
