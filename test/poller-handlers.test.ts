// End to end through the CLI: failing module handlers and an HTTP sidecar
// (node:http in the test) that acks, retries, times out and rejects per key.
// Retries, dead letters in <topic>.dlq (read back with kafkajs, headers and
// all), and nothing lost while the sidecar is down.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createKafka } from '../poller/kafka-client.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { readTopic } from './support/read-topic.js';
import { readHandledRecords, RECORD_ENV } from '../poller/handlers/handled-record.js';
import { runCli, ProcSet, type NodeProcess } from './support/node-process.js';
import { RECORDING_HANDLER_JS } from './support/paths.js';
import { sleep, waitFor } from './support/wait-for.js';
import { delivery, handledOnly, orderViolations } from './support/recording-checks.js';

const RANGES = 16;
const procs = new ProcSet();
const servers: http.Server[] = [];
let dir: string;
let zk: string;
let brokerList: string;
let kafka: Kafka;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poller-handlers-'));
  zk = zkConnect();
  brokerList = brokers().join(',');
  kafka = createKafka({ brokers: brokers(), clientId: 'poller-handlers-test' });
});

afterEach(async () => {
  await procs.stopAll();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  })));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function createGroup(): Promise<{ group: string; topic: string; file: string }> {
  const group = randomName('ph');
  const topic = randomName('ph-t');
  const r = await runCli(['create', '--zk', zk, '--group', group, '--brokers', brokerList, '--topic', topic, '--ranges', String(RANGES)]);
  expect(r.code, r.stderr).toBe(0);
  return { group, topic, file: join(dir, `${group}.jsonl`) };
}

function pollerArgs(g: { group: string; topic: string }, id: string, extra: string[]): string[] {
  return ['poller', '--zk', zk, '--brokers', brokerList, '--group', g.group, '--topic', g.topic, '--id', id, '--session-timeout', '4000', ...extra];
}

async function produce(topic: string, count: number, keys: number): Promise<void> {
  const r = await runCli(['produce', '--brokers', brokerList, '--topic', topic, '--count', String(count), '--keys', String(keys)]);
  expect(r.code, r.stderr).toBe(0);
}

/** Messages in a topic (sum of high watermarks; nothing is ever deleted in a test topic). */
async function topicSize(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}


function header(m: KafkaMessage, name: string): string | undefined {
  const v = m.headers?.[name];
  return v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v);
}

function value(m: KafkaMessage): { id: number; key: string; seq: number } {
  return JSON.parse(m.value!.toString('utf8')) as { id: number; key: string; seq: number };
}

// key-i behaves as SIDECAR_BEHAVIOUR[i]:
//   ok: 200 | flaky: 500 on attempt 1, then 200 | gone: 404 | slow: no answer in time on attempt 1, then 200
//   retry: 200 {"status":"RETRY"} always | broken: 500 always
const SIDECAR_BEHAVIOUR = ['ok', 'flaky', 'gone', 'slow', 'retry', 'broken'] as const;

interface SidecarCall {
  key: string;
  id: number;
  attempt: number;
  range: number;
  offset: string;
}

/** An HTTP sidecar that answers each key as SIDECAR_BEHAVIOUR says and records every call; closed after each test. */
async function startKeyedSidecar(forwardTimeoutMs: number): Promise<{ url: string; calls: SidecarCall[] }> {
  const calls: SidecarCall[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; key: string };
      const key = decodeURIComponent(String(req.headers['ringleader-key']));
      const attempt = Number(req.headers['ringleader-attempt']);
      calls.push({ key, id: body.id, attempt, range: Number(req.headers['ringleader-range']), offset: String(req.headers['ringleader-offset']) });
      const behaviour = SIDECAR_BEHAVIOUR[Number(key.slice('key-'.length))];
      const send = (status: number, text = '', type = 'text/plain') => {
        res.writeHead(status, { 'content-type': type });
        res.end(text);
      };
      switch (behaviour) {
        case 'ok':
          return send(200);
        case 'flaky':
          return attempt === 1 ? send(500, 'try again') : send(200);
        case 'gone':
          return send(404, 'no such thing');
        case 'slow':
          if (attempt === 1) {
            setTimeout(() => (res.destroyed ? undefined : send(200)), forwardTimeoutMs * 4);
            return;
          }
          return send(200);
        case 'retry':
          return send(200, JSON.stringify({ status: 'RETRY' }), 'application/json');
        default:
          return send(500, 'broken');
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`;
  return { url, calls };
}

describe('failing handlers and the HTTP sidecar, end to end: a module handler', () => {
  it('a module handler that throws for some keys: retries, then dead letters with headers, while other keys keep flowing', async () => {
    const g = await createGroup();
    const COUNT = 600;
    const KEYS = 30;
    const FAIL = ['key-3', 'key-17'];
    const MAX_ATTEMPTS = 3;
    const poller = procs.start(
      'p1',
      pollerArgs(g, 'p1', ['--handler', RECORDING_HANDLER_JS, '--max-attempts', String(MAX_ATTEMPTS), '--concurrency', '4']),
      { [RECORD_ENV.file]: g.file, [RECORD_ENV.poller]: 'p1', [RECORD_ENV.failKeys]: FAIL.join(',') },
    );
    await poller.started();
    await produce(g.topic, COUNT, KEYS);
    const failing = new Set(Array.from({ length: COUNT }, (_, id) => id).filter((id) => FAIL.includes(`key-${id % KEYS}`)));
    const ok = COUNT - failing.size;

    const dead = await readTopic(kafka, `${g.topic}.dlq`, failing.size);
    const recs = await waitFor(`${ok} handled`, () => {
      const r = readHandledRecords(g.file);
      return handledOnly(r).length >= ok ? r : null;
    }, { timeoutMs: 60_000, everyMs: 100 });

    // Every failing message: exactly MAX_ATTEMPTS calls, then one dead letter; never acknowledged by the handler.
    expect(dead).toHaveLength(failing.size);
    const deadIds = dead.map((d) => value(d.message).id).sort((a, b) => a - b);
    expect(deadIds).toEqual([...failing].sort((a, b) => a - b));
    for (const { partition, message } of dead) {
      const v = value(message);
      expect(message.key?.toString()).toBe(v.key);
      expect(header(message, 'ringleader-attempts')).toBe(String(MAX_ATTEMPTS));
      expect(header(message, 'ringleader-error')).toContain(`key ${v.key} always fails`);
      expect(header(message, 'ringleader-original-topic')).toBe(g.topic);
      expect(header(message, 'ringleader-original-range')).toBe(String(partition));
      expect(header(message, 'ringleader-original-partition')).toBe(String(partition));
      expect(header(message, 'ringleader-original-offset')).toMatch(/^\d+$/);
      expect(Number.isNaN(Date.parse(header(message, 'ringleader-failed-at') ?? ''))).toBe(false);
    }
    const attempts = new Map<number, number[]>();
    for (const r of recs.filter((x) => x.failed)) attempts.set(r.id, [...(attempts.get(r.id) ?? []), r.attempt]);
    expect(attempts.size).toBe(failing.size);
    for (const [, a] of attempts) expect(a).toEqual([1, 2, 3]);

    // Everything else was handled exactly once, in key order.
    const d = delivery(recs.filter((r) => !failing.has(r.id)), COUNT);
    expect(d.missing.filter((id) => !failing.has(id))).toEqual([]);
    expect(d.duplicates.size).toBe(0);
    expect(orderViolations(recs)).toEqual([]);
    // ...and kept flowing while the failing keys were retried: other keys of the same range
    // were handled between a failing key's first attempt and its dead letter.
    for (const key of FAIL) {
      const mine = recs.filter((r) => r.key === key && r.failed);
      const range = mine[0]!.range;
      const from = mine[0]!.start;
      const to = mine[mine.length - 1]!.end;
      const others = handledOnly(recs).filter((r) => r.range === range && r.key !== key && r.start > from && r.end < to);
      const elsewhere = handledOnly(recs).filter((r) => r.range !== range && r.start > from && r.end < to);
      expect(others.length + elsewhere.length, `handled while ${key} was failing`).toBeGreaterThan(0);
    }

    poller.signal('SIGTERM');
    expect((await poller.waitExit(30_000)).code).toBe(0);
  });
});

describe('failing handlers and the HTTP sidecar, end to end: sidecar answers', () => {
  it('sidecar: 200 acks; 500, timeout and {"status":"RETRY"} retry; 404 dead-letters at once', async () => {
    const g = await createGroup();
    const KEYS = 6;
    const COUNT = 60;
    const MAX_ATTEMPTS = 3;
    const FORWARD_TIMEOUT = 300;
    const { url, calls } = await startKeyedSidecar(FORWARD_TIMEOUT);

    const poller = procs.start(
      'p1',
      pollerArgs(g, 'p1', ['--forward', url, '--forward-timeout', String(FORWARD_TIMEOUT), '--max-attempts', String(MAX_ATTEMPTS), '--concurrency', '4']),
    );
    await poller.started();
    await produce(g.topic, COUNT, KEYS);
    const idsOf = (k: number) => Array.from({ length: COUNT / KEYS }, (_, i) => i * KEYS + k);
    const expectDead = [...idsOf(2), ...idsOf(4), ...idsOf(5)].sort((a, b) => a - b);
    const dead = await readTopic(kafka, `${g.topic}.dlq`, expectDead.length);
    // Wait for the acked keys to be answered 200 on their final attempt.
    await waitFor('acked keys answered', () => {
      const last = (id: number) => calls.filter((c) => c.id === id).length;
      return [...idsOf(0), ...idsOf(1), ...idsOf(3)].every((id) => last(id) >= (id % KEYS === 0 ? 1 : 2));
    }, { timeoutMs: 30_000, everyMs: 100 });
    await sleep(500); // would-be extra attempts or dead letters show up here

    expect(dead.map((d) => value(d.message).id).sort((a, b) => a - b)).toEqual(expectDead);
    expect(await topicSize(`${g.topic}.dlq`)).toBe(expectDead.length);
    for (const { partition, message } of dead) {
      const v = value(message);
      const behaviour = SIDECAR_BEHAVIOUR[v.id % KEYS];
      expect(header(message, 'ringleader-attempts'), `${behaviour} id ${v.id}`).toBe(behaviour === 'gone' ? '1' : String(MAX_ATTEMPTS));
      expect(header(message, 'ringleader-error')).toContain(behaviour === 'gone' ? '404' : behaviour === 'retry' ? 'RETRY' : '500');
      expect(header(message, 'ringleader-original-range')).toBe(String(partition));
    }
    const attemptsOf = (id: number) => calls.filter((c) => c.id === id).map((c) => c.attempt);
    for (const id of idsOf(0)) expect(attemptsOf(id)).toEqual([1]);
    for (const id of idsOf(1)) expect(attemptsOf(id)).toEqual([1, 2]);
    for (const id of idsOf(2)) expect(attemptsOf(id)).toEqual([1]);
    for (const id of idsOf(3)) expect(attemptsOf(id)).toEqual([1, 2]);
    for (const id of [...idsOf(4), ...idsOf(5)]) expect(attemptsOf(id)).toEqual([1, 2, 3]);
    // Per-key order: the first call for each message of a key comes in seq (= id) order.
    for (let k = 0; k < KEYS; k++) {
      const firsts = calls.filter((c) => c.key === `key-${k}` && c.attempt === 1).map((c) => c.id);
      expect(firsts).toEqual(idsOf(k));
    }

    poller.signal('SIGTERM');
    expect((await poller.waitExit(30_000)).code).toBe(0);
  });
});

describe('failing handlers and the HTTP sidecar, end to end: sidecar down', () => {
  it('sidecar down (poller started before it, then stopped for a while): nothing is lost', async () => {
    const g = await createGroup();
    const COUNT = 300;
    // A port nobody listens on yet.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const received = new Map<number, number>();
    let connections = 0;
    const makeServer = () => {
      const s = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number };
          received.set(id, (received.get(id) ?? 0) + 1);
          res.writeHead(200).end();
        });
      });
      s.on('connection', () => connections++);
      servers.push(s);
      return new Promise<http.Server>((r) => s.listen(port, '127.0.0.1', () => r(s)));
    };

    const poller: NodeProcess = procs.start(
      'p1',
      pollerArgs(g, 'p1', ['--forward', `http://127.0.0.1:${port}/in`, '--forward-timeout', '1000', '--max-attempts', '1000']),
    );
    await poller.started();
    await produce(g.topic, COUNT / 2, 20);
    await sleep(3000); // the poller retries against the refused port meanwhile
    expect(received.size).toBe(0);

    const first = await makeServer();
    await waitFor('first half delivered once the sidecar is up', () => received.size >= COUNT / 2, { timeoutMs: 30_000, everyMs: 100 });
    // Down again for a while, with more messages arriving meanwhile.
    first.closeAllConnections();
    await new Promise<void>((r) => first.close(() => r()));
    await produce(g.topic, COUNT / 2, 20); // ids 0..149 again: same ids, new messages
    await sleep(2000);
    await makeServer();
    await waitFor('every message delivered', () => [...received.values()].reduce((a, b) => a + b, 0) >= COUNT, { timeoutMs: 30_000, everyMs: 100 });
    await sleep(500);

    // Each produced message reached the sidecar exactly once per production (each id twice), none dead-lettered.
    expect(received.size).toBe(COUNT / 2);
    for (const [id, n] of received) expect(n, `id ${id}`).toBe(2);
    expect(await topicSize(`${g.topic}.dlq`)).toBe(0);
    expect(connections).toBeGreaterThan(0);

    poller.signal('SIGTERM');
    expect((await poller.waitExit(30_000)).code).toBe(0);
  });
});
