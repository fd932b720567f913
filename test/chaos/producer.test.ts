import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RingRecord } from '../../poller/index.js';
import { runLoad, type ProducedRecord } from './producer.js';

describe('runLoad', () => {
  it('records where each acknowledged message went, and counts a failed send without reusing its ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-load-'));
    const stop = new AbortController();
    let sends = 0;
    const producer = {
      send: async (records: RingRecord[]) => {
        sends++;
        if (sends === 2) throw new Error('connect ECONNREFUSED');
        if (sends >= 3) stop.abort();
        return records.map((_, i) => ({ partition: sends, offset: String(100 * sends + i) }));
      },
    };
    try {
      const result = await runLoad({ producer, keys: 8, rate: 100, size: 10, file: join(dir, 'p.ndjson'), signal: stop.signal });
      expect(result.failedSends).toBe(1);
      const recs = readFileSync(join(dir, 'p.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ProducedRecord);
      // 5 messages per 50 ms tick at 100 msg/s: the first and third sends were acknowledged.
      expect(recs.map((r) => r.id)).toEqual([0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
      expect(recs[0]).toMatchObject({ partition: 1, offset: 100, key: 'key-0', seq: 0 });
      expect(recs[5]).toMatchObject({ partition: 3, offset: 300, seq: 1 });
      expect(result.sent).toBe(15);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
