// `ringleader resize`'s cut-over against real ZooKeeper and Kafka: producers
// that follow the group pause, the new config records where each old
// partition ends, and every message lands where the split says it does.
import { afterEach, describe, expect, it } from 'vitest';
import { encode, GroupPaths, parseConfig, parseMember, parseProducer, ZkSession } from '../coordinator/index.js';
import { createPoller, type RingMessage, type RingProducer } from '../poller/index.js';
import { KAFKA_CLIENT_NAMES } from '../poller/kafka-clients.js';
import { rangeOf } from '../ring/index.js';
import { brokers, zkConnect } from './support/env.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { runCli } from './support/node-process.js';
import { readTopic } from './support/read-topic.js';
import { waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const groups = new RingGroups(cleanups, 'resize');
const session = () => groups.session();
const group = (ranges: number) => groups.group(ranges);
const producer = (g: { paths: GroupPaths }, id: string) => groups.producer(g, id);

function resizeCli(g: { paths: GroupPaths }, ranges: number, extra: string[] = []) {
  return runCli(['resize', '--zk', zkConnect(), '--group', g.paths.group, '--brokers', brokers().join(','), '--ranges', String(ranges), '--json', ...extra]);
}

/** Sends keyed batches in a loop until stopped; counts what was acknowledged. */
function keepSending(p: RingProducer, tag: string): { stop: () => Promise<number> } {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const batch = Array.from({ length: 20 }, (_, j) => ({ key: `${tag}-${(i * 20 + j) % 97}`, value: `${i * 20 + j}` }));
      await p.send(batch);
      sent += batch.length;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return sent;
    },
  };
}

async function configOf(g: { zk: ZkSession; paths: GroupPaths }) {
  const parsed = parseConfig((await g.zk.getData(g.paths.config)).data);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('ringleader resize: the cut-over (real ZooKeeper and Kafka)', () => {
  it('pauses the producers, records each old partition\'s end, and every message sits where the split says', async () => {
    const g = await group(4);
    const p1 = await producer(g, 'p1');
    const p2 = await producer(g, 'p2');
    const s1 = keepSending(p1, 'a');
    const s2 = keepSending(p2, 'b');
    await new Promise((r) => setTimeout(r, 500));

    const r = await resizeCli(g, 8);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ group: g.paths.group, from: 4, to: 8, producers: ['p1', 'p2'] });
    expect(out.grown).toEqual([g.topic, `${g.topic}.dlq`]);

    await waitFor('both producers to send with R = 8', () => p1.ranges() === 8 && p2.ranges() === 8, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 300));
    const sent = (await s1.stop()) + (await s2.stop());

    const config = await configOf(g);
    expect(config.ranges).toBe(8);
    expect(config.split).toEqual({ from: 4, offsets: out.offsets });
    expect(await g.zk.exists(g.paths.resize)).toBeNull();
    for (const id of ['p1', 'p2']) {
      const node = parseProducer((await g.zk.getData(g.paths.producer(id))).data, id);
      expect(node.ok && node.value).toMatchObject({ ranges: 8 });
      expect(node.ok && node.value.pausedFor).toBeUndefined();
    }
    expect(p1.pauses()).toHaveLength(1);
    expect(p2.pauses()).toHaveLength(1);

    // Below s_p: old range p's keys; from s_p on (and on the new partitions): new range p's.
    const split = out.offsets.map(Number) as number[];
    const messages = await readTopic(groups.kafka, g.topic, sent);
    let before = 0;
    let after = 0;
    for (const { partition, message } of messages) {
      const key = message.key!.toString();
      if (partition < 4 && Number(message.offset) < split[partition]!) {
        expect(rangeOf(key, 4), `${key} at ${partition}/${message.offset}`).toBe(partition);
        before++;
      } else {
        expect(rangeOf(key, 8), `${key} at ${partition}/${message.offset}`).toBe(partition);
        after++;
      }
    }
    expect(before).toBeGreaterThan(0);
    expect(after).toBeGreaterThan(0);
  });

  it('rolls back when a producer does not pause in time: R stays, the others resume, one line and exit 1', async () => {
    const g = await group(2);
    const p = await producer(g, 'live');
    // A registered producer that never answers (its node says nothing of a pause).
    const ghost = await session();
    await ghost.create(g.paths.producer('ghost'), encode({ id: 'ghost', host: 'h', pid: 1, ranges: 2, startedAt: new Date().toISOString() }), 'ephemeral');

    const r = await resizeCli(g, 4, ['--timeout', '1500']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/rolled back: 1 producer\(s\) or poller\(s\) did not pause in time: producer\/ghost/);

    expect((await configOf(g)).ranges).toBe(2);
    expect(await g.zk.exists(g.paths.resize)).toBeNull();
    await waitFor('the live producer to resume', async () => {
      const node = parseProducer((await g.zk.getData(g.paths.producer('live'))).data, 'live');
      return node.ok && node.value.pausedFor === undefined && p.pauses().length === 1;
    }, { timeoutMs: 10_000 });
    await p.send([{ key: 'k', value: 'v' }]);
    expect(p.ranges()).toBe(2);
  });

  it('holds the first send of a producer that starts while a resize is under way', async () => {
    const g = await group(2);
    const resizer = await session();
    await resizer.create(g.paths.resize, encode({ id: 'r1', from: 2, to: 4, host: 'h', pid: 1, startedAt: new Date().toISOString() }), 'ephemeral');
    const p = await producer(g, 'late');
    let sent = false;
    const sending = p.send([{ key: 'k', value: 'v' }]).then(() => (sent = true));
    await waitFor('the late producer to say it paused', async () => {
      const node = parseProducer((await g.zk.getData(g.paths.producer('late'))).data, 'late');
      return node.ok && node.value.pausedFor === 'r1';
    }, { timeoutMs: 10_000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(sent).toBe(false);
    await resizer.remove(g.paths.resize);
    await sending;
    expect(p.pauses()).toHaveLength(1);
  });

  it('refuses, in one line, a count that is not a multiple, a second resize, and one while the last split still drains', async () => {
    const g = await group(4);
    const odd = await resizeCli(g, 6);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/must be a multiple of the group's 4 ranges/);

    const other = await session();
    await other.create(g.paths.resize, encode({ id: 'x', from: 4, to: 8, host: 'elsewhere', pid: 7, startedAt: 'then' }), 'ephemeral');
    const busy = await resizeCli(g, 8);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/another resize is under way \(4 -> 8, by pid 7 on elsewhere/);
    await other.remove(g.paths.resize);

    // A config left by a split whose old partitions were not handled up to their split points.
    await g.zk.setData(g.paths.config, encode({ version: 1, topic: g.topic, ranges: 8, split: { from: 4, offsets: ['5', '0', '0', '0'] } }));
    const draining = await resizeCli(g, 16);
    expect(draining.code).toBe(1);
    expect(draining.stderr).toMatch(/still draining: old partitions 0 \(5 to go\)/);
    expect(draining.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('waits for an unreachable Kafka until --timeout, then fails in one line and changes nothing', async () => {
    const g = await group(4);
    const began = Date.now();
    const r = await runCli(['resize', '--zk', zkConnect(), '--group', g.paths.group, '--brokers', '127.0.0.1:1', '--ranges', '8', '--timeout', '2000', '--json']);
    const tookMs = Date.now() - began;
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/Kafka at 127\.0\.0\.1:1/);
    expect(r.stderr).toMatch(/Kafka did not answer; trying again until the timeout/); // it did wait
    expect(tookMs).toBeLessThan(20_000);
    const config = parseConfig((await g.zk.getData(g.paths.config)).data);
    expect(config.ok && config.value.ranges).toBe(4);
    expect(await g.zk.exists(g.paths.resize)).toBeNull();
  });
});

describe('the order barrier after a resize (real ZooKeeper and Kafka, pollers started after the cut-over)', () => {
  it('starts a new range past its split point only once its parent was handled up to its own: every key stays in order', async () => {
    const g = await group(2);
    const p = await producer(g, 'seq');
    // Per-key sequence numbers in the value; a backlog before the resize, more after it.
    const next = new Map<string, number>();
    const batch = (n: number) => Array.from({ length: n }, (_, i) => {
      const key = `k${i % 40}`;
      const seq = next.get(key) ?? 0;
      next.set(key, seq + 1);
      return { key, value: String(seq) };
    });
    await p.send(batch(400));
    const r = await resizeCli(g, 4);
    expect(r.code, r.stderr).toBe(0);
    const split = (JSON.parse(r.stdout.trim().split('\n').pop()!).offsets as string[]).map(Number);
    await waitFor('the producer to send with R = 4', () => p.ranges() === 4, { timeoutMs: 10_000 });
    await p.send(batch(400));
    const total = 800;

    // Old partition 0 is slow, so its children (ranges 0 and 1) would overtake it without the barrier.
    const handled: { key: string; seq: number; partition: number; offset: number; at: number }[] = [];
    const handler = async (m: RingMessage) => {
      if (m.partition === 0 && Number(m.offset) < split[0]!) await new Promise((res) => setTimeout(res, 3));
      handled.push({ key: m.key!, seq: Number(m.value.toString()), partition: m.partition, offset: Number(m.offset), at: Date.now() });
    };
    const poller = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), handler, commitIntervalMs: 50, settleMs: 0, concurrency: 4 });
    cleanups.add(() => poller.close());
    await poller.start();
    await waitFor('every message handled', () => handled.length >= total, { timeoutMs: 60_000 });

    const lastSeq = new Map<string, number>();
    for (const h of handled) {
      expect(h.seq, `${h.key} handled out of order at ${h.partition}/${h.offset}`).toBeGreaterThan(lastSeq.get(h.key) ?? -1);
      lastSeq.set(h.key, h.seq);
    }
    expect(handled).toHaveLength(total);
    // Range 1 (partition 1 from its split point) waited for old partition 0.
    const parentDone = Math.max(...handled.filter((h) => h.partition === 0 && h.offset < split[0]!).map((h) => h.at));
    const childFirst = Math.min(...handled.filter((h) => h.partition === 1 && h.offset >= split[1]!).map((h) => h.at));
    expect(childFirst).toBeGreaterThanOrEqual(parentDone);
  }, 120_000);

});

describe('resizing a live group (real ZooKeeper and Kafka, producers and pollers running)', () => {
  it.each(KAFKA_CLIENT_NAMES)('pollers on %s hold for the cut-over, grow in place to the new count (unmoved ranges never released), and every key stays in order with nothing lost', async (kafkaClient) => {
    const g = await group(2);
    const p = await producer(g, 'live');
    const next = new Map<string, number>();
    let sending = true;
    let sent = 0;
    const load = (async () => {
      while (sending) {
        const batch = Array.from({ length: 20 }, (_, i) => {
          const key = `k${(sent + i) % 60}`;
          const seq = next.get(key) ?? 0;
          next.set(key, seq + 1);
          return { key, value: String(seq) };
        });
        await p.send(batch);
        sent += batch.length;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const handled: { key: string; seq: number; partition: number; offset: number }[] = [];
    const handler = async (m: RingMessage) => {
      // Old partition 0 is slow: its children would overtake it without the barrier.
      if (m.partition === 0) await new Promise((res) => setTimeout(res, 2));
      handled.push({ key: m.key!, seq: Number(m.value.toString()), partition: m.partition, offset: Number(m.offset) });
    };
    const pollers = ['a', 'b'].map((id) => createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id, handler, commitIntervalMs: 50, settleMs: 0, concurrency: 4, kafkaClient }));
    for (const poller of pollers) cleanups.add(() => poller.close());
    const resized: unknown[] = [];
    const released = new Map<string, number[]>();
    for (const poller of pollers) {
      poller.on('resized', (e) => resized.push(e));
      for (const event of ['released', 'lost'] as const) poller.on(event, (e: { range: number }) => released.set(poller.id, [...(released.get(poller.id) ?? []), e.range]));
    }
    await Promise.all(pollers.map((poller) => poller.start()));
    await waitFor('both pollers handling', () => new Set(handled.map((h) => h.partition)).size === 2, { timeoutMs: 30_000 });
    const before = new Map(pollers.map((x) => [x.id, x.ownedRanges()]));

    const r = await resizeCli(g, 4);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.pollers.sort()).toEqual(['a', 'b']);
    expect(out.producers).toEqual(['live']);
    await waitFor('both pollers grown to 4 ranges', () => resized.length === 2, { timeoutMs: 30_000 });
    expect(resized).toEqual([{ from: 2, to: 4, inPlace: true }, { from: 2, to: 4, inPlace: true }]);
    await waitFor('the producer to send with R = 4', () => p.ranges() === 4, { timeoutMs: 10_000 });
    await new Promise((res) => setTimeout(res, 1_000));
    sending = false;
    await load;
    await waitFor('every message handled', () => handled.length >= sent, { timeoutMs: 60_000 });
    await waitFor('all four ranges owned', () => pollers.flatMap((x) => x.ownedRanges()).sort().join() === '0,1,2,3', { timeoutMs: 30_000 });

    const lastSeq = new Map<string, number>();
    for (const h of handled) {
      expect(h.seq, `${h.key} handled out of order (or twice) at ${h.partition}/${h.offset}`).toBe((lastSeq.get(h.key) ?? -1) + 1);
      lastSeq.set(h.key, h.seq);
    }
    expect(handled).toHaveLength(sent);
    expect(new Set(handled.filter((h) => h.partition >= 2).map((h) => h.partition))).toEqual(new Set([2, 3]));
    for (const poller of pollers) expect(poller.status().misplaced).toBe(0);
    // A range the same poller owns before and after the resize was never given back.
    for (const poller of pollers) {
      const kept = before.get(poller.id)!.filter((range) => poller.ownedRanges().includes(range));
      expect(kept.filter((range) => released.get(poller.id)?.includes(range)), `${poller.id} released a range it kept`).toEqual([]);
    }
  }, 180_000);

  it('a poller that starts during a resize holds and says so; a rollback lets it go on', async () => {
    const g = await group(2);
    const p = await producer(g, 'early');
    await p.send([{ key: 'x', value: '1' }]);
    const resizer = await session();
    await resizer.create(g.paths.resize, encode({ id: 'r2', from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now' }), 'ephemeral');
    const handled: string[] = [];
    const late = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id: 'late', handler: (m) => void handled.push(m.key!), settleMs: 0 });
    cleanups.add(() => late.close());
    await late.start();
    const member = async () => parseMember((await g.zk.getData(g.paths.poller('late'))).data, 'late');
    const m = await member();
    expect(m.ok && m.value.pausedFor).toBe('r2');
    await waitFor('the poller to own both ranges', () => late.ownedRanges().length === 2, { timeoutMs: 20_000 });
    await new Promise((res) => setTimeout(res, 1_000));
    expect(handled).toEqual([]);

    await resizer.remove(g.paths.resize, -1);
    await waitFor('the message handled once the resize rolled back', () => handled.length === 1, { timeoutMs: 20_000 });
    // Cleared a little later (PAUSED_REPORT_CLEARED_AFTER_MS), out of the way of what the poller does next.
    await waitFor('pausedFor cleared', async () => {
      const after = await member();
      return after.ok && after.value.pausedFor === undefined;
    }, { timeoutMs: 5_000 });
    expect((await configOf(g)).ranges).toBe(2);
  }, 60_000);

  it.each(KAFKA_CLIENT_NAMES)('on %s, a message that fails in a new range after growing in place is dead-lettered to that range\'s partition', async (kafkaClient) => {
    const g = await group(2);
    const p = await producer(g, 'dlq');
    const handled: string[] = [];
    const handler = (m: RingMessage) => {
      if (m.key!.startsWith('poison')) throw new Error('poison');
      handled.push(m.key!);
    };
    const poller = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id: 'dlq', handler, settleMs: 0, commitIntervalMs: 50, maxAttempts: 1, kafkaClient });
    cleanups.add(() => poller.close());
    await poller.start();
    // One dead letter before the resize: the dead-letter producer has connected and read the topic's metadata.
    await p.send([{ key: 'poison-before', value: 'x' }, { key: 'ok', value: 'y' }]);
    await waitFor('the first message handled', () => handled.includes('ok'), { timeoutMs: 20_000 });
    const r = await resizeCli(g, 4);
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the poller on 4 ranges', () => poller.ownedRanges().length === 4, { timeoutMs: 30_000 });
    await waitFor('the producer on 4 ranges', () => p.ranges() === 4, { timeoutMs: 10_000 });
    const keys = Array.from({ length: 200 }, (_, i) => `poison-${i}`).filter((k) => rangeOf(k, 4) >= 2).slice(0, 6);
    await p.send(keys.map((key) => ({ key, value: 'z' })));
    const read = await readTopic(groups.kafka, `${g.topic}.dlq`, 1 + keys.length);
    const placed = new Map(read.map((x) => [x.message.key!.toString(), x.partition]));
    for (const key of keys) expect(placed.get(key), key).toBe(rangeOf(key, 4));
  }, 90_000);

  it('a poller that missed a split (two resizes cut over while it was away) starts again on the latest range count', async () => {
    const g = await groups.group(2, 8);
    const handled: number[] = [];
    const poller = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id: 'missed', handler: (m) => void handled.push(m.partition), settleMs: 0 });
    cleanups.add(() => poller.close());
    const resized: unknown[] = [];
    poller.on('resized', (e) => resized.push(e));
    await poller.start();
    // The split 4 -> 8 only: where 2 -> 4 split its partitions is not known here.
    await g.zk.setData(g.paths.config, encode({ version: 1, topic: g.topic, ranges: 8, split: { from: 4, offsets: ['0', '0', '0', '0'] } }), -1);
    await waitFor('the poller on 8 ranges', () => poller.ownedRanges().length === 8, { timeoutMs: 30_000 });
    expect(resized).toEqual([{ from: 2, to: 8, inPlace: false }]);
    const p = await producer(g, 'after');
    await waitFor('the producer on 8 ranges', () => p.ranges() === 8, { timeoutMs: 10_000 });
    const placed = await p.send(Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: 'v' })));
    await waitFor('every message handled', () => handled.length === 40, { timeoutMs: 20_000 });
    expect(new Set(handled)).toEqual(new Set(placed.map((x) => x.partition)));
  }, 90_000);

  it('two resizes in a row: the poller follows each it sees (in place) or the last (starting again), and ends on the latest count', async () => {
    const g = await groups.group(2, 8);
    const handled: number[] = [];
    const poller = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id: 'twice', handler: (m) => void handled.push(m.partition), settleMs: 0 });
    cleanups.add(() => poller.close());
    const resized: { from: number; to: number }[] = [];
    poller.on('resized', (e) => resized.push(e));
    await poller.start();
    await g.zk.setData(g.paths.config, encode({ version: 1, topic: g.topic, ranges: 4, split: { from: 2, offsets: ['0', '0'] } }), -1);
    await g.zk.setData(g.paths.config, encode({ version: 1, topic: g.topic, ranges: 8, split: { from: 4, offsets: ['0', '0', '0', '0'] } }), -1);
    await waitFor('the poller on 8 ranges', () => poller.ownedRanges().length === 8, { timeoutMs: 30_000 });
    expect(resized.at(-1)?.to).toBe(8);
    const p = await producer(g, 'after');
    await waitFor('the producer on 8 ranges', () => p.ranges() === 8, { timeoutMs: 10_000 });
    const placed = await p.send(Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: 'v' })));
    await waitFor('every message handled', () => handled.length === 40, { timeoutMs: 20_000 });
    expect(new Set(handled)).toEqual(new Set(placed.map((x) => x.partition)));
  }, 90_000);

  it('a message in flight when the poller follows a resize finishes and is committed: it is not handled twice', async () => {
    const g = await groups.group(2, 4);
    const p = await producer(g, 'slow');
    const calls: string[] = [];
    let slowStarted = false;
    const handler = async (m: RingMessage) => {
      calls.push(m.key!);
      if (m.key === 'slow') {
        slowStarted = true;
        await new Promise((res) => setTimeout(res, 4_500)); // longer than a close step (3 s)
      }
    };
    const poller = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id: 'inflight', handler, settleMs: 0, commitIntervalMs: 50 });
    cleanups.add(() => poller.close());
    const resized: unknown[] = [];
    poller.on('resized', (e) => resized.push(e));
    await poller.start();
    const placed = await p.send([{ key: 'slow', value: '1' }, { key: 'a', value: '2' }, { key: 'b', value: '3' }]);
    await waitFor('the slow message in flight', () => slowStarted, { timeoutMs: 20_000 });
    const ends = [0, 1].map((part) => String(Math.max(-1, ...placed.filter((x) => x.partition === part).map((x) => Number(x.offset))) + 1));
    await g.zk.setData(g.paths.config, encode({ version: 1, topic: g.topic, ranges: 4, split: { from: 2, offsets: ends } }), -1);
    await waitFor('grown to 4 ranges', () => resized.length === 1, { timeoutMs: 30_000 });
    await waitFor('all four ranges owned', () => poller.ownedRanges().length === 4, { timeoutMs: 20_000 });
    await new Promise((res) => setTimeout(res, 1_000));
    expect(calls.filter((k) => k === 'slow')).toEqual(['slow']);
  }, 90_000);
});
