import type { Admin, Kafka } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** The dead-letter topic of a work topic: same partition count, so range r dead-letters to partition r. */
export function deadLetterTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

export class TopicNotFoundError extends Error {
  readonly topic: string;
  constructor(topic: string) {
    super(
      `topic ${topic} does not exist; create it with \`ringleader create --topic ${topic} --ranges <R> ...\``,
    );
    this.name = 'TopicNotFoundError';
    this.topic = topic;
  }
}

/** The topic exists but its partition count is not the group's range count. */
export class PartitionCountMismatchError extends Error {
  readonly topic: string;
  readonly expected: number;
  readonly actual: number;
  constructor(topic: string, expected: number, actual: number) {
    super(
      `topic ${topic} has ${actual} partitions but ${expected} ranges were asked for; ` +
        `ranges are fixed per topic (range i is partition i): use --ranges ${actual} or another topic`,
    );
    this.name = 'PartitionCountMismatchError';
    this.topic = topic;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Runs `fn` with a connected admin client and always disconnects it. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Partition count of `topic`, or null when it does not exist. */
export async function partitionCount(admin: Admin, topic: string): Promise<number | null> {
  // listTopics first: a metadata request for a missing topic is retried by
  // kafkajs for seconds before it gives up.
  const names = await admin.listTopics();
  if (!names.includes(topic)) return null;
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const meta = topics.find((t) => t.name === topic);
  return meta ? meta.partitions.length : null;
}

export interface EnsureTopicsOptions {
  kafka: Kafka;
  topic: string;
  ranges: number;
  /** Default: the broker's `default.replication.factor`. */
  replicationFactor?: number;
  logger?: Logger;
}

export interface EnsureTopicsResult {
  /** The topics this call created (empty when both already existed). */
  created: string[];
}

/**
 * Creates `<topic>` and `<topic>.dlq` with `ranges` partitions each. Safe to
 * repeat: a topic that exists with the same count is left alone; one with a
 * different count is an error, since keys would land in the wrong range.
 */
export async function ensureTopics(opts: EnsureTopicsOptions): Promise<EnsureTopicsResult> {
  const { kafka, topic, ranges } = opts;
  if (!Number.isSafeInteger(ranges) || ranges < 1) {
    throw new RangeError(`ranges must be a positive integer, got ${ranges}`);
  }
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-admin' });
  return withAdmin(kafka, async (admin) => {
    const created: string[] = [];
    for (const name of [topic, deadLetterTopicOf(topic)]) {
      const existing = await partitionCount(admin, name);
      if (existing === null) {
        const didCreate = await admin.createTopics({
          // kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a
          // KRaft broker answers until the new topic's metadata reaches it.
          waitForLeaders: false,
          topics: [
            {
              topic: name,
              numPartitions: ranges,
              ...(opts.replicationFactor !== undefined
                ? { replicationFactor: opts.replicationFactor }
                : {}),
            },
          ],
        });
        await waitForLeaders(admin, name, didCreate ? ranges : 1);
        if (didCreate) {
          created.push(name);
          log.info({ topic: name, partitions: ranges }, 'topic created');
          continue;
        }
        // Someone else created it between our check and our create.
      }
      const actual = existing ?? (await partitionCount(admin, name));
      if (actual === null) throw new TopicNotFoundError(name);
      if (actual !== ranges) throw new PartitionCountMismatchError(name, ranges, actual);
      log.debug({ topic: name, partitions: actual }, 'topic already exists');
    }
    return { created };
  });
}

/**
 * Grows `<topic>` and `<topic>.dlq` to at least `partitions` partitions (a
 * resize's new ranges); a topic that has them already is left alone.
 * Returns the topics grown.
 */
export async function growTopics(opts: { kafka: Kafka; topic: string; partitions: number; logger?: Logger }): Promise<string[]> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-admin' });
  return withAdmin(opts.kafka, async (admin) => {
    const grown: string[] = [];
    for (const name of [opts.topic, deadLetterTopicOf(opts.topic)]) {
      const existing = await partitionCount(admin, name);
      if (existing === null) throw new TopicNotFoundError(name);
      if (existing >= opts.partitions) continue;
      await admin.createPartitions({ topicPartitions: [{ topic: name, count: opts.partitions }] });
      await waitForLeaders(admin, name, opts.partitions);
      log.info({ topic: name, from: existing, to: opts.partitions }, 'partitions added');
      grown.push(name);
    }
    return grown;
  });
}

const WAIT_FOR_LEADERS_MS = 30_000;

/** Waits until every partition of a just-created topic has a leader. */
async function waitForLeaders(admin: Admin, topic: string, partitions: number): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_LEADERS_MS;
  let last = 'no metadata yet';
  while (Date.now() < deadline) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const meta = topics.find((t) => t.name === topic);
      const led = meta?.partitions.filter((p) => p.leader >= 0).length ?? 0;
      if (meta && meta.partitions.length >= partitions && led === meta.partitions.length) return;
      last = `${led} of ${partitions} partitions have a leader`;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw err;
      last = type;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`topic ${topic} was created but its partitions got no leader within ${WAIT_FOR_LEADERS_MS} ms (${last})`);
}

/** Partition count of `topic`; TopicNotFoundError when it does not exist. */
export async function describeTopic(kafka: Kafka, topic: string): Promise<number> {
  const count = await withAdmin(kafka, (admin) => partitionCount(admin, topic));
  if (count === null) throw new TopicNotFoundError(topic);
  return count;
}

/** High watermark (next offset to be written) of each partition of `topic`. */
export async function fetchEndOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  return withAdmin(kafka, (admin) => endOffsetsWith(admin, topic));
}

export async function endOffsetsWith(admin: Admin, topic: string): Promise<Map<number, string>> {
  if ((await partitionCount(admin, topic)) === null) throw new TopicNotFoundError(topic);
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, o.high]));
}
