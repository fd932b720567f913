import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { pino, type Logger } from 'pino';
import {
  checkConfigMatches,
  ConfigFollower,
  GroupPaths,
  ProducerRegistration,
  readGroupConfig,
  validatePollerId,
  ZkSession,
  type ZkSessionOptions,
} from '../coordinator/index.js';
import { rangeOf } from '../ring/index.js';
import { sendEveryPartition } from './send-every-partition.js';

export interface RingProducerOptions {
  /** ZooKeeper connect string of the group. */
  zk: string;
  group: string;
  /** Root znode of all groups (default /ringleader). */
  zkRoot?: string;
  /** A kafkajs client (createKafka() for SASL/TLS). */
  kafka: Kafka;
  /** When given, must be the group's topic. */
  topic?: string;
  /** The producer's znode name; default `<host>-<pid>-<random>`. */
  id?: string;
  zkSession?: Omit<ZkSessionOptions, 'connect' | 'logger'>;
  logger?: Logger;
}

export interface RingRecord {
  /** Keyed records go to partition `rangeOf(key, R)`; keyless ones round-robin over the R partitions. */
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string>;
}

export interface RingProducer {
  readonly id: string;
  readonly topic: string;
  /** The range count sends use now: the group's, followed as it changes. */
  ranges(): number;
  /** Sends the records, each to its range's partition; resolves once every in-sync replica has them (acks=all). */
  send(records: RingRecord[]): Promise<void>;
  /** Stops following the group and disconnects (sends in flight finish first). */
  close(): Promise<void>;
}

/**
 * A Kafka producer that follows a ringleader group (docs/design.md
 * "Producers that follow the group"): it reads the range count R from the
 * group's `config`, sends each keyed record to partition `rangeOf(key, R)`,
 * registers itself as `producers/<id>` (ephemeral) so the group knows who
 * writes to it, and keeps watching `config`, sending with the new R from the
 * moment it changes. The partition count of the topic is never used: R is the
 * group's word, so a topic with more partitions than R gets nothing above R.
 */
export async function createRingProducer(opts: RingProducerOptions): Promise<RingProducer> {
  const id = validatePollerId(opts.id ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}-${randomBytes(3).toString('hex')}`);
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'ring-producer', group: opts.group, producer: id });
  const paths = new GroupPaths(opts.group, opts.zkRoot);
  const zk = new ZkSession({ ...opts.zkSession, connect: opts.zk, logger: log });
  let producer: Producer | null = null;
  let follower: ConfigFollower | null = null;
  let registration: ProducerRegistration | null = null;
  const closeAll = async () => {
    follower?.close();
    await registration?.close();
    await producer?.disconnect().catch((err: unknown) => log.warn({ err }, 'kafka producer disconnect failed'));
    await zk.close().catch(() => undefined);
  };
  try {
    await zk.start();
    const config = await readGroupConfig(zk, paths);
    if (opts.topic !== undefined) checkConfigMatches(config, { topic: opts.topic }, opts.group);
    registration = new ProducerRegistration(zk, paths, { id, host: hostname(), pid: process.pid, ranges: config.ranges, startedAt: new Date().toISOString() }, log);
    const reg = registration;
    follower = new ConfigFollower(zk, paths, (next, before) => {
      if (next.ranges === before.ranges) return;
      log.info({ from: before.ranges, to: next.ranges }, 'the group changed its range count; sending with the new one');
      reg.update(next.ranges).catch((err: unknown) => log.warn({ err }, 'cannot update our producer node'));
    }, log);
    await follower.start();
    const f = follower;
    const state = new SendState(() => f.config.ranges);
    await registration.register();
    producer = opts.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const p = producer;
    log.info({ topic: config.topic, ranges: f.config.ranges }, 'ring producer ready');
    return {
      id,
      topic: config.topic,
      ranges: () => f.config.ranges,
      send: async (records) => {
        const messages: Message[] = records.map((r) => state.place(r));
        await sendEveryPartition(p, { topic: config.topic, acks: -1, compression: CompressionTypes.None, messages });
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Where each record goes under the range count in force (the followed config's), and the round-robin cursor of keyless records. */
class SendState {
  private next = 0;

  constructor(private readonly ranges: () => number) {}

  place(r: RingRecord): Message {
    const partition = r.key === null ? this.roundRobin() : rangeOf(r.key, this.ranges());
    return { key: r.key, value: r.value, partition, ...(r.headers ? { headers: r.headers } : {}) };
  }

  private roundRobin(): number {
    this.next = (this.next + 1) % this.ranges();
    return this.next;
  }
}
