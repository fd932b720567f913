import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { CompressionTypes, type Kafka, type Message, type RecordMetadata } from 'kafkajs';
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
import { ProducerGate } from './producer-gate.js';
import { ProducerSlot } from './producer-slot.js';

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

/** Where a sent record was written. */
export interface RecordPlacement {
  partition: number;
  /** Its offset in the partition (decimal). */
  offset: string;
}

export interface RingProducer {
  readonly id: string;
  readonly topic: string;
  /** The range count sends use now: the group's, followed as it changes. */
  ranges(): number;
  /**
   * Sends the records, each to its range's partition; resolves once every
   * in-sync replica has them (acks=all), with where each was written, in the
   * records' order. A failed send may or may not have written its records.
   */
  send(records: RingRecord[]): Promise<RecordPlacement[]>;
  /** How long each resize so far held this producer's sends (ms). */
  pauses(): number[];
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
  const slot = new ProducerSlot(() => opts.kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 }), log);
  let follower: ConfigFollower | null = null;
  let registration: ProducerRegistration | null = null;
  let gate: ProducerGate | null = null;
  const closeAll = async () => {
    gate?.close();
    follower?.close();
    await registration?.close();
    await slot.close();
    await zk.close().catch(() => undefined);
  };
  try {
    await zk.start();
    const config = await readGroupConfig(zk, paths);
    if (opts.topic !== undefined) checkConfigMatches(config, { topic: opts.topic }, opts.group);
    registration = new ProducerRegistration(zk, paths, { id, host: hostname(), pid: process.pid, ranges: config.ranges, startedAt: new Date().toISOString() }, log);
    // Registered before the config and the resize marker are read: a resize
    // that begins after those reads finds this node and waits for us.
    await registration.register();
    const reg = registration;
    follower = new ConfigFollower(zk, paths, (next, before) => {
      if (next.ranges === before.ranges) return;
      log.info({ from: before.ranges, to: next.ranges }, 'the group changed its range count; sending with the new one');
      // (During a resize the gate says so itself when the marker goes.)
      if (!gate?.paused) reg.update(next.ranges).catch((err: unknown) => log.warn({ err }, 'cannot update our producer node'));
    }, log);
    await follower.start();
    const f = follower;
    gate = new ProducerGate(zk, paths, registration, f, log, (ranges) => slot.prepare(ranges));
    await gate.start();
    const g = gate;
    const state = new SendState();
    await slot.open(f.config.ranges);
    log.info({ topic: config.topic, ranges: f.config.ranges }, 'ring producer ready');
    return {
      id,
      topic: config.topic,
      ranges: () => f.config.ranges,
      send: async (records) => {
        await g.enter();
        try {
          // Placed only now: a send held across a resize's cut-over uses the new R.
          const ranges = f.config.ranges;
          const messages: Message[] = records.map((r) => state.place(r, ranges));
          let meta;
          try {
            meta = await slot.with(ranges, (p) => sendEveryPartition(p, { topic: config.topic, acks: -1, compression: CompressionTypes.None, messages }));
          } catch (err) {
            await slot.renew().catch((e: unknown) => log.warn({ err: e }, 'cannot make a fresh Kafka producer yet'));
            throw err;
          }
          return placements(messages, meta);
        } finally {
          g.leave();
        }
      },
      pauses: () => [...g.pauses],
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Within one request a partition's messages get consecutive offsets in send order, from its result's base offset. */
function placements(messages: Message[], meta: RecordMetadata[]): RecordPlacement[] {
  const next = new Map<number, number>();
  for (const m of meta) if (!next.has(m.partition)) next.set(m.partition, Number(m.baseOffset));
  return messages.map((m) => {
    const partition = m.partition!;
    const offset = next.get(partition);
    if (offset === undefined) throw new Error(`no send result for partition ${partition}`);
    next.set(partition, offset + 1);
    return { partition, offset: String(offset) };
  });
}

/** Where each record goes under a range count, and the round-robin cursor of keyless records. */
class SendState {
  private next = 0;

  place(r: RingRecord, ranges: number): Message {
    const partition = r.key === null ? this.roundRobin(ranges) : rangeOf(r.key, ranges);
    return { key: r.key, value: r.value, partition, ...(r.headers ? { headers: r.headers } : {}) };
  }

  private roundRobin(ranges: number): number {
    this.next = (this.next + 1) % ranges;
    return this.next;
  }
}
