// A producer that follows its group: sends each key to rangeOf(key, R) with
// the group's R (not the topic's partition count), registers under
// producers/, and sends with the new R from the moment the config changes.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, DuplicateProducerError, encode, GroupPaths, parseProducer } from '../coordinator/index.js';
import { createRingProducer } from '../poller/index.js';
import { rangeOf } from '../ring/index.js';
import { brokers, randomName, zkConnect } from './support/env.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { runCli } from './support/node-process.js';
import { waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const groups = new RingGroups(cleanups, 'ringprod');
const group = (ranges: number, partitions?: number) => groups.group(ranges, partitions);
const producer = (g: { paths: GroupPaths }, id?: string) => groups.producer(g, id);

async function endOffsets(topic: string): Promise<number[]> {
  const admin = groups.kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.sort((a, b) => a.partition - b.partition).map((o) => Number(o.high));
  } finally {
    await admin.disconnect();
  }
}

const keys = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);

/** Messages per partition that rangeOf(key, R) gives, over `partitions` partitions. */
function expectedCounts(ks: string[], ranges: number, partitions: number): number[] {
  const counts = new Array<number>(partitions).fill(0);
  for (const k of ks) counts[rangeOf(k, ranges)]!++;
  return counts;
}

describe('createRingProducer (real ZooKeeper and Kafka)', () => {
  it('sends each key to rangeOf(key, R) with the group\'s R, even on a topic with more partitions', async () => {
    const g = await group(4, 8);
    const p = await producer(g);
    expect(p.topic).toBe(g.topic);
    expect(p.ranges()).toBe(4);
    const ks = keys(400, 'a');
    await p.send(ks.map((key) => ({ key, value: `v-${key}` })));
    expect(await endOffsets(g.topic)).toEqual(expectedCounts(ks, 4, 8));
  });

  it('registers under producers/ with its R and leaves on close', async () => {
    const g = await group(3);
    const p = await producer(g, 'prod-1');
    const node = await g.zk.getDataOrNull(g.paths.producer('prod-1'));
    const parsed = parseProducer(node?.data, 'prod-1');
    expect(parsed.ok && parsed.value).toMatchObject({ id: 'prod-1', pid: process.pid, ranges: 3 });
    await expect(producer(g, 'prod-1')).rejects.toThrow(DuplicateProducerError);
    const status = await runCli(['status', '--zk', zkConnect(), '--group', g.paths.group, '--json']);
    expect(JSON.parse(status.stdout).producers).toMatchObject([{ id: 'prod-1', ranges: 3 }]);
    await p.close();
    expect(await g.zk.getDataOrNull(g.paths.producer('prod-1'))).toBeNull();
  });

  it('follows a change of R in the config: later sends use the new R and its node says so', async () => {
    const g = await group(4);
    const p = await producer(g, 'follower');
    const admin = groups.kafka.admin();
    await admin.connect();
    cleanups.add(() => admin.disconnect());
    await admin.createPartitions({ topicPartitions: [{ topic: g.topic, count: 8 }] });
    await g.zk.setData(g.paths.config, encode({ version: 1, topic: g.topic, ranges: 8 }));
    await waitFor('the producer to take R = 8', () => p.ranges() === 8, { timeoutMs: 10_000 });
    await waitFor('the producer node to say R = 8', async () => {
      const parsed = parseProducer((await g.zk.getDataOrNull(g.paths.producer('follower')))?.data);
      return parsed.ok && parsed.value.ranges === 8;
    }, { timeoutMs: 10_000 });
    const ks = keys(400, 'b');
    await p.send(ks.map((key) => ({ key, value: 'x' })));
    expect(await endOffsets(g.topic)).toEqual(expectedCounts(ks, 8, 8));
  });

  it('refuses a group that does not exist, or another topic than the group\'s', async () => {
    await expect(createRingProducer({ zk: zkConnect(), group: randomName('nogroup'), kafka: groups.kafka })).rejects.toThrow(ConfigError);
    const g = await group(2);
    await expect(createRingProducer({ zk: zkConnect(), group: g.paths.group, kafka: groups.kafka, topic: 'other' })).rejects.toThrow(/consumes topic/);
  });
});

describe('ringleader produce --group (real ZooKeeper and Kafka)', () => {
  it('sends the load to the group\'s topic with its R and says so', async () => {
    const g = await group(4, 6);
    const r = await runCli(['produce', '--zk', zkConnect(), '--group', g.paths.group, '--brokers', brokers().join(','), '--count', '120', '--keys', '30']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out).toMatchObject({ sent: 120, topic: g.topic, ranges: 4 });
    const sentKeys = Array.from({ length: 120 }, (_, i) => `key-${i % 30}`);
    expect(await endOffsets(g.topic)).toEqual(expectedCounts(sentKeys, 4, 6));
  });

  it('refuses --group without --zk, and no destination at all, in one line with exit 2', async () => {
    // (the test servers' RINGLEADER_ZK would stand in for --zk)
    const noZk = await runCli(['produce', '--group', 'g', '--brokers', brokers().join(','), '--count', '1'], { env: { RINGLEADER_ZK: undefined } });
    expect(noZk.code).toBe(2);
    expect(noZk.stderr.trim()).toMatch(/--group needs --zk/);
    expect(noZk.stderr.trim().split('\n')).toHaveLength(1);
    const nowhere = await runCli(['produce', '--brokers', brokers().join(','), '--count', '1'], { env: { RINGLEADER_ZK: undefined, RINGLEADER_TOPIC: undefined } });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/--topic <name>, or --group/);
  });
});
