// Messages of any bytes end to end, against the real Kafka and ZooKeeper:
// null, empty, invalid-UTF-8, huge and surrogate keys, empty and ~900 KB
// values, binary headers, through the range partitioner, a poller and a
// handler module (loaded from a file, as --handler does). Every message is
// delivered to the partition of its key bytes, with its value intact and its
// key decoded as UTF-8 (invalid bytes become U+FFFD). A message above the
// broker's message.max.bytes is refused at produce time with a clear error
// (library and CLI), and the poller never sees it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { createKafka } from '../poller/kafka-client.js';
import { ensureTopics } from '../poller/kafka-admin.js';
import { createPoller } from '../poller/poller.js';
import { loadModuleHandler } from '../poller/handlers/module-handler.js';
import type { RingMessage } from '../poller/message.js';
import { ZkSession, GroupPaths, createGroupConfig } from '../coordinator/index.js';
import { createRangePartitioner, rangeOf } from '../ring/index.js';
import { brokers, zkConnect, randomName } from './support/env.js';
import { runCli } from './support/node-process.js';

const RANGES = 4;
let dir: string;
let kafka: Kafka;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ringleader-hostile-'));
  kafka = createKafka({ brokers: brokers(), clientId: 'hostile-messages-test' });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  id: string;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, Buffer>;
}

const keyArb = fc.oneof(
  fc.constant(null),
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), // mostly invalid UTF-8
  fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => Buffer.from(s, 'utf8')),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0x00]), Buffer.from('\ud800', 'utf8'), Buffer.from('k\u0000\r\n'), Buffer.alloc(100_000, 0x61)),
);
const valueArb = fc.oneof(
  fc.uint8Array({ maxLength: 1_000 }).map((b) => Buffer.from(b)),
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.alloc(900 * 1024, 0xfe)),
);
const headersArb = fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)), { maxKeys: 3 });

describe('hostile messages end to end', () => {
  it('any key/value bytes are delivered intact to the range of their key; an oversized one is refused and never seen', async () => {
    const group = randomName('hostile');
    const topic = randomName('hostile-t');
    await ensureTopics({ kafka, topic, ranges: RANGES });
    const zk = new ZkSession({ connect: zkConnect() });
    await zk.start();
    try {
      await createGroupConfig(zk, new GroupPaths(group), { topic, ranges: RANGES });
    } finally {
      await zk.close();
    }

    const generated = fc.sample(fc.tuple(keyArb, valueArb, headersArb), { numRuns: 150, seed: 42 });
    const sent: Sent[] = generated.map(([key, value, headers], i) => ({ id: `m${i}`, key, value, headers }));
    const producer = kafka.producer({ createPartitioner: createRangePartitioner, maxInFlightRequests: 1 });
    await producer.connect();
    let tooBig: unknown;
    try {
      for (const m of sent.slice(0, 75)) {
        await producer.send({ topic, messages: [{ key: m.key, value: m.value, headers: { ...m.headers, 'rl-id': m.id } }] });
      }
      // Above the broker's message.max.bytes (1,048,588 by default).
      try {
        await producer.send({ topic, messages: [{ key: 'big', value: Buffer.alloc(1_100_000, 0x42), headers: { 'rl-id': 'too-big' } }] });
      } catch (err) {
        tooBig = err;
      }
      for (const m of sent.slice(75)) {
        await producer.send({ topic, messages: [{ key: m.key, value: m.value, headers: { ...m.headers, 'rl-id': m.id } }] });
      }
    } finally {
      await producer.disconnect();
    }
    expect(tooBig).toBeInstanceOf(Error);
    expect((tooBig as Error).message).toMatch(/larger than the max message size/);
    expect((tooBig as { retriable?: boolean }).retriable).toBe(false);

    // The CLI says the same in one line and exits 1.
    const cli = await runCli(['produce', '--brokers', brokers().join(','), '--topic', topic, '--count', '1', '--size', '2000000'], { timeoutMs: 60_000 });
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split('\n').pop()).toMatch(/^ringleader: .*larger than the max message size/);

    // The handler module records what it is given into a global the test reads.
    const file = join(dir, 'record.mjs');
    writeFileSync(file, 'export default async function (msg) { (globalThis.__hostileSeen ??= []).push(msg); }\n');
    const handler = await loadModuleHandler(file);
    const seen = ((globalThis as { __hostileSeen?: RingMessage[] }).__hostileSeen ??= []);
    const poller = createPoller({ zk: zkConnect(), group, brokers: brokers(), topic, handler, commitIntervalMs: 100, settleMs: 0, concurrency: 4 });
    await poller.start();
    try {
      const ids = () => new Set(seen.filter((m) => m.topic === topic).map((m) => m.headers['rl-id']));
      for (const until = Date.now() + 60_000; Date.now() < until && ids().size < sent.length; ) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 500)); // anything extra would show up now
      const mine = seen.filter((m) => m.topic === topic);
      expect(ids().size).toBe(sent.length);
      expect(mine.some((m) => m.headers['rl-id'] === 'too-big' || m.value.length > 1_000_000)).toBe(false);
      const byId = new Map(mine.map((m) => [m.headers['rl-id'], m]));
      for (const s of sent) {
        const got = byId.get(s.id)!;
        expect(got.value.equals(s.value), s.id).toBe(true);
        expect(got.key, s.id).toBe(s.key === null ? null : s.key.toString('utf8'));
        if (s.key !== null) expect(got.partition, s.id).toBe(rangeOf(s.key, RANGES));
        expect(got.range).toBe(got.partition);
        for (const [name, value] of Object.entries(s.headers)) {
          if (name !== 'rl-id') expect(got.headers[name], `${s.id} ${name}`).toBe(value.toString('utf8'));
        }
      }
      console.log(JSON.stringify({ messages: sent.length, delivered: mine.length, nullKeys: sent.filter((s) => s.key === null).length, emptyKeys: sent.filter((s) => s.key?.length === 0).length, invalidUtf8Keys: sent.filter((s) => s.key && !Buffer.from(s.key.toString('utf8'), 'utf8').equals(s.key)).length, bigValues: sent.filter((s) => s.value.length > 500_000).length }));
    } finally {
      await poller.close();
    }
  }, 180_000);
});
