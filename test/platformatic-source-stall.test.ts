// The @platformatic/kafka source reports what the fetch-stall check reads
// (docs/design.md "Unhealthy pollers"): a broker of the test's own is paused
// (SIGSTOP) while a range is fetched, so no reply comes; health() must turn
// disconnected with lastReplyAt standing still, and recover after SIGCONT,
// delivering what was written meanwhile from where it stopped.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { createPlatformaticSource } from '../poller/platformatic/source.js';
import { platformaticEnsureTopics, withPlatformaticAdmin } from '../poller/platformatic/admin.js';
import { ProcSet } from './support/node-process.js';
import { privateKafka } from './support/private-kafka.js';
import { sleep, waitFor } from './support/wait-for.js';

const STALE_MS = 2_000;
const procs = new ProcSet();
const kafka = privateKafka('stall', procs, () => ({ heap: '384m' }));

describe('platformatic range source: a broker that stops answering', () => {
  it('turns disconnected with lastReplyAt standing still, and delivers on from where it stopped once the broker answers', async () => {
    const connection = { brokers: kafka.broker.brokers, clientId: 'stall-test' };
    const topic = `stall-${randomUUID()}`;
    await withPlatformaticAdmin(connection, (admin) => platformaticEnsureTopics(admin, { topic, ranges: 1 }));
    const producer = new Producer({ ...{ clientId: 'stall-test', bootstrapBrokers: connection.brokers }, serializers: stringSerializers });
    const write = (from: number, n: number) =>
      producer.send({ messages: Array.from({ length: n }, (_, i) => ({ topic, partition: 0, key: 'k', value: String(from + i) })) });
    const source = createPlatformaticSource({ connection, topic, groupId: 'stall-test', partitions: 1, staleAfterMs: STALE_MS });
    const offsets: number[] = [];
    source.onMessages((_range, messages) => offsets.push(...messages.map((m) => Number(m.offset))));
    try {
      await write(0, 10);
      await source.start();
      await source.assign(0, 0);
      await waitFor('the first 10', () => offsets.length >= 10);
      expect(source.health().connected).toBe(true);

      kafka.broker.pause();
      const pausedAt = Date.now();
      try {
        await waitFor('disconnected', () => !source.health().connected, { timeoutMs: STALE_MS * 4 });
        const silentFor = Date.now() - pausedAt;
        const stalled = source.health();
        expect(silentFor).toBeGreaterThanOrEqual(STALE_MS - 500);
        expect(stalled.lastReplyAt).toBeLessThanOrEqual(pausedAt + 200);
        await sleep(1_000);
        expect(source.health().lastReplyAt).toBe(stalled.lastReplyAt);
      } finally {
        kafka.broker.resume();
      }
      await write(10, 10);
      await waitFor('connected again', () => source.health().connected, { timeoutMs: 30_000 });
      await waitFor('offsets 10..19', () => offsets.length >= 20, { timeoutMs: 30_000 });
      expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await source.close();
      await producer.close();
    }
  }, 120_000);
});
