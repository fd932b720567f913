import type { Admin, Batch, Cluster, Consumer, ConsumerRunConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { offsetFromString, offsetToString, type Offset } from '../coordinator/index.js';
import { partitionCount, PartitionCountMismatchError, TopicNotFoundError } from './kafka-admin.js';
import { ConsumerHealth } from './kafka-source/consumer-health.js';
import { ConsumerRestarter } from './kafka-source/consumer-restarter.js';
import {
  consumerConfig,
  DEFAULT_SESSION_TIMEOUT_MS,
  FETCH_DEFAULTS,
  type KafkajsFetchOptions,
} from './kafka-source/consumer-settings.js';
import { PartitionCursor } from './kafka-source/partition-cursor.js';
import { toSourceMessage } from './kafka-source/source-message.js';
import type { RangeSource, SourceHealth, SourceMessage } from './range-source.js';

export type { KafkajsFetchOptions };

export interface KafkajsSourceOptions {
  kafka: Kafka;
  topic: string;
  /** The source's own group, `ringleader.<group>.<pollerId>`; never shared with another poller. */
  groupId: string;
  /** The group's range count; the topic must have at least this many partitions (those above stay paused). */
  partitions: number;
  logger?: Logger;
  fetch?: KafkajsFetchOptions;
  /** Kafka group session; a restarted poller with the same id may wait this long to join. */
  sessionTimeout?: number;
  /** health() reports disconnected when no broker reply came for this long. */
  staleAfterMs?: number;
}

// kafkajs keeps this on every batch but leaves it out of its typings.
type KafkajsBatch = Batch & { fetchedOffset: string };

/**
 * A RangeSource on kafkajs, which has no manual assign(): the source runs a
 * consumer in a group of its own whose assigner hands it every partition,
 * keeps unassigned partitions paused, and seeks + resumes on assign().
 *
 * Positions live here, not in Kafka (autoCommit is off; offsets live in
 * ZooKeeper). kafkajs forgets positions on every group rejoin and on a
 * restart after a crash, so each join re-seeks every assigned range to the
 * next offset it expects, and re-pauses the rest.
 */
export function createKafkajsSource(opts: KafkajsSourceOptions): RangeSource {
  if (!Number.isSafeInteger(opts.partitions) || opts.partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${opts.partitions}`);
  }
  return new KafkajsSource(opts);
}

class KafkajsSource implements RangeSource {
  private readonly topic: string;
  private readonly log: Logger;
  private readonly cursors: PartitionCursor[];
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly runConfig: ConsumerRunConfig;
  private readonly consumerHealth: ConsumerHealth;
  private readonly restarter: ConsumerRestarter;
  private receiver: ((range: number, messages: SourceMessage[]) => void) | null = null;
  private state: 'latent' | 'starting' | 'started' | 'closed' = 'latent';
  private closePromise: Promise<void> | null = null;
  /** Resolved by the first group join (or close), which start() waits for. */
  private firstJoin: (() => void) | null = null;
  /** The consumer's own cluster (its metadata), handed over by the assigner. */
  private cluster: Cluster | null = null;

  constructor(private readonly opts: KafkajsSourceOptions) {
    const { kafka, topic, partitions } = opts;
    this.topic = topic;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-source', topic });
    this.cursors = Array.from({ length: partitions }, () => new PartitionCursor());
    const fetch = opts.fetch ?? {};
    const sessionTimeout = opts.sessionTimeout ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.consumerHealth = new ConsumerHealth(opts.staleAfterMs ?? Math.max(sessionTimeout, DEFAULT_SESSION_TIMEOUT_MS));
    const restartOnFailure = async () => !this.closed;
    const onCluster = (cluster: Cluster) => (this.cluster = cluster);
    this.consumer = kafka.consumer(consumerConfig({ groupId: opts.groupId, sessionTimeout, fetch, restartOnFailure, onCluster }));
    this.admin = kafka.admin();
    this.runConfig = {
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: fetch.partitionsConsumedConcurrently ?? Math.min(partitions, FETCH_DEFAULTS.partitionsConsumedConcurrently),
      eachBatch: async (payload) => this.onBatch(payload),
    };
    this.restarter = new ConsumerRestarter({
      restart: async () => {
        await this.consumer.connect();
        await this.consumer.run(this.runConfig);
      },
      log: this.log,
      onFailure: (err) => this.consumerHealth.failed(err),
    });
  }

  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error(`kafka source already ${this.state}`);
    this.state = 'starting';
    try {
      await this.startConsumer();
    } catch (err) {
      await this.close();
      throw err;
    }
    if (this.closed) return;
    this.state = 'started';
    this.log.info({ groupId: this.opts.groupId, partitions: this.opts.partitions }, 'kafka source started');
  }

  async assign(range: number, from: Offset | 'earliest' | 'latest'): Promise<Offset> {
    const cursor = this.cursor(range);
    if (this.state !== 'started' && this.state !== 'starting') throw new Error(`kafka source is ${this.state}`);
    const token = cursor.beginAssign();
    const offset = await this.resolveStart(range, from);
    // A revoke or another assign came while we resolved the offset: it wins.
    if (this.closed || !cursor.assignAt(token, offset)) return offset;
    this.onConsumer('seek', () => {
      this.consumer.seek({ topic: this.topic, partition: range, offset: offsetToString(offset) });
      if (!cursor.pausedByPoller) this.consumer.resume([{ topic: this.topic, partitions: [range] }]);
    });
    this.log.debug({ range, offset }, 'range assigned');
    return offset;
  }

  /**
   * New cursors, paused like every unassigned partition. A consumer that
   * joined its group before the topic grew is not given the new partitions
   * until its metadata shows them: refreshing it makes the next fetch find
   * the assignment stale, and kafkajs rejoins (one member, so at once), after
   * which onGroupJoin seeks every assigned range back to its cursor.
   */
  grow(partitions: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('kafka source is closed'));
    if (partitions <= this.cursors.length) return Promise.resolve();
    while (this.cursors.length < partitions) this.cursors.push(new PartitionCursor());
    return this.learnPartitions().then(() => this.log.info({ partitions }, 'kafka source grown'));
  }

  /** A refresh that finds the topic grown makes kafkajs rejoin (see grow()); the new partitions join paused. */
  learnPartitions(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.cluster?.refreshMetadata() ?? Promise.resolve();
  }

  revoke(range: number): void {
    const cursor = this.cursor(range);
    if (!cursor.revoke()) return;
    this.onConsumer('pause', () => this.consumer.pause([{ topic: this.topic, partitions: [range] }]));
    this.log.debug({ range, next: cursor.next }, 'range revoked');
  }

  pause(range: number): void {
    if (!this.cursor(range).hold()) return;
    this.onConsumer('pause', () => this.consumer.pause([{ topic: this.topic, partitions: [range] }]));
  }

  resume(range: number): void {
    if (!this.cursor(range).release()) return;
    this.onConsumer('resume', () => this.consumer.resume([{ topic: this.topic, partitions: [range] }]));
  }

  onMessages(cb: (range: number, messages: SourceMessage[]) => void): void {
    this.receiver = cb;
  }

  // The topic was checked in start(); skip endOffsetsWith's existence check,
  // since the poller asks for lag often.
  async endOffsets(): Promise<Map<number, Offset>> {
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    return new Map(offsets.map((o) => [o.partition, offsetFromString(o.high)]));
  }

  health(): SourceHealth {
    return this.consumerHealth.report(this.state === 'started');
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.state = 'closed';
      this.restarter.close();
      this.firstJoin?.();
      try {
        await this.consumer.disconnect();
      } catch (err) {
        this.log.warn({ err }, 'kafka consumer disconnect failed');
      }
      try {
        await this.admin.disconnect();
      } catch (err) {
        this.log.warn({ err }, 'kafka admin disconnect failed');
      }
      this.log.info('kafka source closed');
    })();
    return this.closePromise;
  }

  // A method, not a field test, because state changes while start() and assign() await.
  private get closed(): boolean {
    return this.state === 'closed';
  }

  private cursor(range: number): PartitionCursor {
    const cursor = Number.isInteger(range) ? this.cursors[range] : undefined;
    if (!cursor) throw new RangeError(`range ${range} is outside 0..${this.cursors.length - 1}`);
    return cursor;
  }

  private async startConsumer(): Promise<void> {
    await this.admin.connect();
    const actual = await partitionCount(this.admin, this.topic);
    if (actual === null) throw new TopicNotFoundError(this.topic);
    // More partitions than ranges: a resize added them and has not cut over (or was rolled back); they stay paused.
    if (actual < this.opts.partitions) throw new PartitionCountMismatchError(this.topic, this.opts.partitions, actual);

    const joined = new Promise<void>((resolve) => (this.firstJoin = resolve));
    this.listen();
    await this.consumer.connect();
    // fromBeginning only matters if kafkajs loses a position it cannot find
    // (offset out of range): the earliest offset then skips the least.
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run(this.runConfig);
    // run() returns after the first join, or after a crash kafkajs will
    // retry; either way wait for the group to be joined.
    await joined;
    this.firstJoin = null;
  }

  private listen(): void {
    const { GROUP_JOIN, CRASH, FETCH, HEARTBEAT, REQUEST_TIMEOUT } = this.consumer.events;
    const replied = () => this.consumerHealth.brokerReplied();
    this.consumer.on(GROUP_JOIN, (e) => this.onGroupJoin(e.payload.memberAssignment[this.topic] ?? []));
    this.consumer.on(FETCH, replied);
    this.consumer.on(HEARTBEAT, replied);
    this.consumer.on(CRASH, (e) => this.onCrash(e.payload.error, e.payload.restart));
    this.consumer.on(REQUEST_TIMEOUT, (e) => this.consumerHealth.requestTimedOut(e.payload.apiName, e.payload.broker));
  }

  /** `given`: every partition kafkajs assigned us, past our range count too (a resize added them and has not cut over, or was rolled back): those stay paused. */
  private onGroupJoin(given: readonly number[]): void {
    this.consumerHealth.joinedGroup();
    const paused: number[] = [];
    const active: number[] = [];
    this.cursors.forEach((cursor, range) => {
      const { seekTo, paused: stays } = cursor.rejoined();
      if (seekTo !== null) {
        this.onConsumer('seek', () => this.consumer.seek({ topic: this.topic, partition: range, offset: offsetToString(seekTo) }));
      }
      (stays ? paused : active).push(range);
    });
    paused.push(...given.filter((p) => p >= this.cursors.length));
    this.onConsumer('pause', () => {
      if (paused.length > 0) this.consumer.pause([{ topic: this.topic, partitions: paused }]);
      if (active.length > 0) this.consumer.resume([{ topic: this.topic, partitions: active }]);
    });
    this.log.debug({ assigned: active.length, paused: paused.length }, 'joined own consumer group');
    this.firstJoin?.();
  }

  private onBatch({ batch, isStale }: EachBatchPayload): void {
    const range = batch.partition;
    const cursor = this.cursors[range];
    if (!cursor || this.closed) return;
    const fetched = offsetFromString((batch as KafkajsBatch).fetchedOffset);
    const taken = cursor.take({ fetchedOffset: fetched, lastOffset: offsetFromString(batch.lastOffset()), messages: batch.messages, isStale });
    if (!taken) return;
    const { expected, surprise } = taken;
    if (surprise === 'before') {
      this.log.warn({ range, fetched, expected }, 'fetch started before the assigned offset');
    } else if (surprise === 'unavailable') {
      this.log.warn({ range, fetched, expected }, 'assigned offset was not available; continuing from the first one that is');
    }
    if (taken.messages.length === 0) return;

    const out = taken.messages.map((m) => toSourceMessage(this.topic, range, m));
    if (!this.receiver) {
      this.log.warn({ range }, 'no onMessages receiver; fetching the batch again later');
      this.rewind(range, cursor, expected);
      return;
    }
    try {
      this.receiver(range, out);
    } catch (err) {
      // The poller failed to take the batch: fetch it again rather than lose it.
      this.log.error({ err, range, offset: out[0]?.offset }, 'onMessages receiver threw; fetching the batch again');
      this.rewind(range, cursor, expected);
    }
  }

  private rewind(range: number, cursor: PartitionCursor, to: Offset): void {
    if (!cursor.moveTo(to)) return;
    this.onConsumer('seek', () => this.consumer.seek({ topic: this.topic, partition: range, offset: offsetToString(to) }));
  }

  private onCrash(error: Error, restart: boolean): void {
    this.consumerHealth.crashed(error);
    this.log.error({ err: error, restart }, 'kafka consumer crashed');
    if (!restart) this.restarter.crashed(error);
  }

  private async resolveStart(range: number, from: Offset | 'earliest' | 'latest'): Promise<Offset> {
    if (from === 'earliest' || from === 'latest') {
      const offsets = await this.admin.fetchTopicOffsets(this.topic);
      const entry = offsets.find((o) => o.partition === range);
      if (!entry) throw new Error(`no offsets for partition ${range} of ${this.topic}`);
      return offsetFromString(from === 'earliest' ? entry.low : entry.high);
    }
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new RangeError(`offset must be a non-negative integer, 'earliest' or 'latest'; got ${from}`);
    }
    return from;
  }

  // pause/resume/seek throw while kafkajs is between a crash and its restart
  // (no consumer group object); the cursors are re-applied on the next group
  // join, so missing the call then is harmless.
  private onConsumer(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.debug({ err, what }, 'consumer not running; applied on next group join');
    }
  }
}
