import { Admin } from '@platformatic/kafka';
import { pino } from 'pino';
import { deadLetterTopicOf, PartitionCountMismatchError, TopicNotFoundError, type EnsureTopicsResult } from '../kafka-admin.js';
import type { Logger } from 'pino';
import { platformaticBaseOptions, type PlatformaticConnectOptions } from './client-options.js';

const WAIT_FOR_LEADERS_MS = 30_000;
const LATEST = -1n;

/** Runs `fn` with an admin client and always closes it. */
export async function withPlatformaticAdmin<T>(conn: PlatformaticConnectOptions, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin(platformaticBaseOptions(conn));
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** Partition count of `topic`, or null when it does not exist. */
export async function platformaticPartitionCount(admin: Admin, topic: string): Promise<number | null> {
  // listTopics first: metadata of a missing topic is an error, not an answer.
  if (!(await admin.listTopics()).includes(topic)) return null;
  const meta = await admin.metadata({ topics: [topic], forceUpdate: true });
  return meta.topics.get(topic)?.partitionsCount ?? null;
}

/** High watermark (next offset to be written) of each partition of `topic`, as strings. */
export async function platformaticEndOffsets(admin: Admin, topic: string, partitions: number): Promise<Map<number, string>> {
  const wanted = Array.from({ length: partitions }, (_, partitionIndex) => ({ partitionIndex, timestamp: LATEST }));
  const listed = await admin.listOffsets({ topics: [{ name: topic, partitions: wanted }] });
  const out = new Map<number, string>();
  for (const t of listed) for (const p of t.partitions) out.set(p.partitionIndex, p.offset.toString());
  return out;
}

/**
 * `<topic>` and `<topic>.dlq` with `ranges` partitions each, as
 * kafka-admin.ts's ensureTopics does on kafkajs: an existing topic with the
 * same count is left alone, another count is an error.
 */
export async function platformaticEnsureTopics(
  admin: Admin,
  opts: { topic: string; ranges: number; replicationFactor?: number; logger?: Logger },
): Promise<EnsureTopicsResult> {
  const { topic, ranges } = opts;
  if (!Number.isSafeInteger(ranges) || ranges < 1) throw new RangeError(`ranges must be a positive integer, got ${ranges}`);
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-admin' });
  const created: string[] = [];
  for (const name of [topic, deadLetterTopicOf(topic)]) {
    let existing = await platformaticPartitionCount(admin, name);
    if (existing === null) {
      try {
        await admin.createTopics({ topics: [name], partitions: ranges, replicas: opts.replicationFactor ?? -1 });
        await waitForLeaders(admin, name, ranges);
        created.push(name);
        log.info({ topic: name, partitions: ranges }, 'topic created');
        continue;
      } catch (err) {
        // Someone else created it between our check and our create: judge what is there.
        existing = await platformaticPartitionCount(admin, name);
        if (existing === null) throw err;
      }
    }
    if (existing !== ranges) throw new PartitionCountMismatchError(name, ranges, existing);
    log.debug({ topic: name, partitions: existing }, 'topic already exists');
  }
  return { created };
}

/** kafka-admin.ts's growTopics on @platformatic/kafka. */
export async function platformaticGrowTopics(admin: Admin, opts: { topic: string; partitions: number; logger?: Logger }): Promise<string[]> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-admin' });
  const grown: string[] = [];
  for (const name of [opts.topic, deadLetterTopicOf(opts.topic)]) {
    const existing = await platformaticPartitionCount(admin, name);
    if (existing === null) throw new TopicNotFoundError(name);
    if (existing >= opts.partitions) continue;
    await admin.createPartitions({ topics: [{ name, count: opts.partitions }] });
    await waitForLeaders(admin, name, opts.partitions);
    log.info({ topic: name, from: existing, to: opts.partitions }, 'partitions added');
    grown.push(name);
  }
  return grown;
}

async function waitForLeaders(admin: Admin, topic: string, partitions: number): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_LEADERS_MS;
  let last = 'no metadata yet';
  while (Date.now() < deadline) {
    try {
      const meta = (await admin.metadata({ topics: [topic], forceUpdate: true })).topics.get(topic);
      const led = meta?.partitions.filter((p) => p.leader >= 0).length ?? 0;
      if (meta && meta.partitionsCount >= partitions && led === meta.partitionsCount) return;
      last = `${led} of ${partitions} partitions have a leader`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`topic ${topic} was created but its partitions got no leader within ${WAIT_FOR_LEADERS_MS} ms (${last})`);
}

/** Partition count of `topic`; TopicNotFoundError when it does not exist. */
export async function platformaticDescribeTopic(conn: PlatformaticConnectOptions, topic: string): Promise<number> {
  const count = await withPlatformaticAdmin(conn, (admin) => platformaticPartitionCount(admin, topic));
  if (count === null) throw new TopicNotFoundError(topic);
  return count;
}
