import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, ProducerRecord } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { rangeOf } from '../../ring/index.js';
import { runLoad } from './producer.js';

describe('runLoad', () => {
  it('sends with a new producer (new producer id, fresh sequences) after a send failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-load-'));
    const made: number[] = [];
    const stop = new AbortController();
    let sends = 0;
    const kafka = {
      producer: () => {
        const id = made.length;
        made.push(id);
        return {
          connect: async () => undefined,
          disconnect: async () => undefined,
          send: async (r: ProducerRecord) => {
            sends++;
            if (sends === 2) throw new Error('connect ECONNREFUSED');
            if (sends >= 4) stop.abort();
            const parts = [...new Set(r.messages.map((m) => rangeOf(String(m.key), 4)))];
            return parts.map((partition) => ({ topicName: r.topic, partition, errorCode: 0, baseOffset: String(sends * 100) }));
          },
        };
      },
    } as unknown as Kafka;
    try {
      const result = await runLoad({ kafka, topic: 't', ranges: 4, keys: 8, rate: 100, size: 10, file: join(dir, 'p.ndjson'), signal: stop.signal });
      expect(result.failedSends).toBe(1);
      expect(made).toEqual([0, 1]);
      expect(readFileSync(join(dir, 'p.ndjson'), 'utf8').trim().split('\n').length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
