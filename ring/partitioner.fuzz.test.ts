// Message keys of any bytes through the ring: rangeOf is total and in range
// for every key (empty, huge, invalid UTF-8, lone surrogates) and every R, a
// string key lands where its UTF-8 bytes land (what other languages hash),
// and the kafkajs partitioner always answers a partition that exists.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { rangeOf, MAX_RANGES } from './range.js';
import { murmur3 } from './murmur3.js';
import { createRangePartitioner } from './partitioner.js';

const R = fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: MAX_RANGES }), fc.constantFrom(1, 2, 7168, MAX_RANGES));
let cases = 0;

function inRange(r: number, ranges: number): void {
  expect(Number.isInteger(r)).toBe(true);
  expect(r).toBeGreaterThanOrEqual(0);
  expect(r).toBeLessThan(ranges);
}

describe('keys of any bytes (fuzz)', () => {
  it('rangeOf(bytes) is total and in [0, R)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 4_096 }), R, (key, ranges) => {
      cases++;
      inRange(rangeOf(key, ranges), ranges);
      const h = murmur3(key);
      expect(h >>> 0).toBe(h);
    }), { numRuns: 2_000 });
  });

  it('a string key (any UTF-16, lone surrogates too) hashes like its UTF-8 bytes', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), fc.string()), R, (key, ranges) => {
      cases++;
      const r = rangeOf(key, ranges);
      inRange(r, ranges);
      expect(r).toBe(rangeOf(Buffer.from(key, 'utf8'), ranges));
    }), { numRuns: 2_000 });
  });

  it('empty and huge keys', () => {
    for (const key of [Buffer.alloc(0), '', Buffer.alloc(1024 * 1024, 0xff), 'k'.repeat(1024 * 1024), '\ud800'.repeat(100_000)]) {
      for (const ranges of [1, 3, 7168, MAX_RANGES]) {
        cases++;
        inRange(rangeOf(key, ranges), ranges);
      }
    }
    expect(rangeOf('', 7168)).toBe(rangeOf(Buffer.alloc(0), 7168));
  });

  it('the partitioner answers an existing partition for any key, leaders or not', () => {
    const partitioner = createRangePartitioner();
    fc.assert(fc.property(
      fc.oneof(fc.constant(null), fc.constant(undefined), fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), fc.string({ unit: 'binary' })),
      fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 1, maxLength: 300 }),
      (key, leaders) => {
        cases++;
        const partitionMetadata = leaders.map((leader, partitionId) => ({ partitionId, leader, partitionErrorCode: 0, replicas: [], isr: [] }));
        const p = partitioner({ topic: 't', partitionMetadata, message: { key: key as Buffer | string | null, value: 'v' } });
        inRange(p, leaders.length);
        if (key !== null && key !== undefined) expect(p).toBe(rangeOf(key, leaders.length));
        else if (leaders.some((l) => l >= 0)) expect(leaders[p]).toBeGreaterThanOrEqual(0);
      },
    ), { numRuns: 2_000 });
    expect(() => partitioner({ topic: 't', partitionMetadata: [], message: { key: 'k', value: 'v' } })).toThrow(/no partition metadata/);
  });

  it('counted', () => {
    expect(cases).toBe(2_000 * 3 + 5 * 4);
  });
});
