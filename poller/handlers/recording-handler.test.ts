// The recording handler and the reader of its files: what the demo, the chaos
// run and the end-to-end tests count deliveries from.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RingMessage } from '../message.js';
import { parseHandledRecord, readHandledRecords, RECORD_ENV } from './handled-record.js';

const dir = mkdtempSync(join(tmpdir(), 'recording-handler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = (key: string | null, value: string, offset = '7'): RingMessage => ({
  topic: 't', range: 3, partition: 3, offset, key, value: Buffer.from(value), headers: {}, timestamp: '0', attempt: 1,
});

describe('recording handler', () => {
  it('appends one record per call, with the load message id and seq, and throws for a failing key', async () => {
    const file = join(dir, 'records.ndjson');
    process.env[RECORD_ENV.file] = file;
    process.env[RECORD_ENV.poller] = 'p7';
    process.env[RECORD_ENV.incarnation] = '2';
    process.env[RECORD_ENV.failKeys] = 'bad';
    const { default: handle } = (await import('./recording-handler.js')) as { default: (m: RingMessage) => Promise<void> };
    await handle(message('key-1', '{"id":41,"key":"key-1","seq":8,"pad":""}'));
    await handle(message(null, 'not json', '8'));
    await expect(handle(message('bad', '{"id":42,"seq":0}', '9'))).rejects.toThrow(/bad always fails/);
    appendFileSync(file, '{"poller":"p7","inc"'); // torn by a SIGKILL
    const records = readHandledRecords(file);
    expect(records.map((r) => [r.poller, r.inc, r.range, r.offset, r.key, r.id, r.seq, r.attempt, r.failed])).toEqual([
      ['p7', 2, 3, 7, 'key-1', 41, 8, 1, undefined],
      ['p7', 2, 3, 8, null, -1, -1, 1, undefined],
      ['p7', 2, 3, 9, 'bad', 42, 0, 1, true],
    ]);
    for (const r of records) expect(r.end).toBeGreaterThanOrEqual(r.start);
  });

  it('reads only whole records', () => {
    expect(parseHandledRecord('')).toBeUndefined();
    expect(parseHandledRecord('{"id":1')).toBeUndefined();
    expect(parseHandledRecord('{"id":"x"}')).toBeUndefined();
    expect(readHandledRecords(join(dir, 'none'))).toEqual([]);
  });
});
