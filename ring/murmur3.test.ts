import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { murmur3 } from './murmur3.js';
import { rangeOf } from './range.js';

interface Vector {
  key: string;
  utf8Hex: string;
  hash: number;
  range: Record<string, number>;
}
const file = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as {
  seed: number;
  ranges: number[];
  vectors: Vector[];
};

describe('murmur3', () => {
  it('matches published MurmurHash3_x86_32 values (seed 0 unless given)', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('hello')).toBe(613153351);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
    expect(murmur3('', 1)).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toBe(0x76293b50);
    expect(murmur3(new Uint8Array([0x21, 0x43, 0x65, 0x87]))).toBe(0xf55b516b);
    expect(murmur3(new Uint8Array([0x21, 0x43, 0x65]))).toBe(0x7e4a8634);
    expect(murmur3(new Uint8Array([0x21, 0x43]))).toBe(0xa0f7b07a);
    expect(murmur3(new Uint8Array([0x21]))).toBe(0x72661cf4);
    expect(murmur3(new Uint8Array([0, 0, 0, 0]))).toBe(0x2362f9de);
  });

  it('reproduces every vector in vectors.json, from the string and from its UTF-8 bytes', () => {
    expect(file.seed).toBe(0);
    expect(file.vectors.length).toBeGreaterThanOrEqual(20);
    for (const v of file.vectors) {
      const bytes = Buffer.from(v.utf8Hex, 'hex');
      expect(Buffer.from(v.key, 'utf8').toString('hex'), v.key).toBe(v.utf8Hex);
      expect(murmur3(v.key), v.key).toBe(v.hash);
      expect(murmur3(bytes), v.key).toBe(v.hash);
      for (const r of file.ranges) expect(rangeOf(v.key, r), `${v.key} R=${r}`).toBe(v.range[String(r)]);
    }
  });

  it('the vectors cover R = 65,536, both ends of a range there, and agree with exact integer arithmetic', () => {
    const R = 65_536;
    expect(file.ranges).toContain(R);
    for (const v of file.vectors) {
      for (const r of file.ranges) {
        expect(v.range[String(r)], `${v.key} R=${r}`).toBe(Number((BigInt(v.hash) * BigInt(r)) >> 32n));
      }
    }
    // The last range, and a hash that is the first of its range (hash * R / 2^32 exact).
    expect(file.vectors.some((v) => v.range[String(R)] === R - 1)).toBe(true);
    expect(file.vectors.some((v) => v.hash > 0 && (v.hash * R) % 2 ** 32 === 0)).toBe(true);
  });

  it('the vectors cover empty, ASCII, multi-byte UTF-8 and emoji keys', () => {
    const keys = file.vectors.map((v) => v.key);
    expect(keys).toContain('');
    expect(keys.some((k) => /^[\x20-\x7e]{5,}$/.test(k))).toBe(true);
    expect(keys.some((k) => /[\u0080-\u07ff]/.test(k))).toBe(true);
    expect(keys.some((k) => /[\u0800-\uffff]/.test(k) && !/[\ud800-\udfff]/.test(k))).toBe(true);
    expect(keys.some((k) => /\p{Extended_Pictographic}/u.test(k))).toBe(true);
  });

  it('hashes a string exactly as its UTF-8 bytes (Buffer.from), including lone surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.integer({ min: 0, max: 0xffffffff }), (key, seed) => {
        expect(murmur3(key, seed)).toBe(murmur3(Buffer.from(key, 'utf8'), seed));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (key) => {
        expect(murmur3(key)).toBe(murmur3(Buffer.from(key, 'utf8')));
      }),
      { numRuns: 1000 },
    );
  });

  it('hashes long non-ASCII keys (scratch buffer growth) like their bytes', () => {
    const key = 'é😀x'.repeat(500);
    expect(murmur3(key)).toBe(murmur3(Buffer.from(key)));
    expect(murmur3('short é')).toBe(murmur3(Buffer.from('short é')));
  });

  it('returns unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const h = murmur3(bytes);
        expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
