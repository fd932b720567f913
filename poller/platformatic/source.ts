import { Consumer, FetchIsolationLevels, ListOffsetTimestamps, type ClusterMetadata, type fetchV17 } from '@platformatic/kafka';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Offset } from '../../coordinator/index.js';
import { sleep } from '../../coordinator/index.js';
import { PartitionCountMismatchError, TopicNotFoundError } from '../kafka-admin.js';
import { ConsumerHealth } from '../kafka-source/consumer-health.js';
import { DEFAULT_SESSION_TIMEOUT_MS, FETCH_DEFAULTS, type KafkajsFetchOptions } from '../kafka-source/consumer-settings.js';
import type { RangeSource, SourceHealth, SourceMessage } from '../range-source.js';
import { platformaticBaseOptions, type PlatformaticConnectOptions } from './client-options.js';
import { FetchCursor, type FetchTicket } from './fetch-cursor.js';
import { lastOffsetOf, toSourceMessages } from './records.js';

export interface PlatformaticSourceOptions {
  connection: PlatformaticConnectOptions;
  topic: string;
  /** Names the client to the brokers; no consumer group is joined. */
  groupId: string;
  /** The group's range count; the topic must have exactly this many partitions. */
  partitions: number;
  logger?: Logger;
  /** The same fetch settings as the kafkajs source (partitionsConsumedConcurrently does not apply). */
  fetch?: KafkajsFetchOptions;
  /** health() reports disconnected when no broker reply came for this long. */
  staleAfterMs?: number;
}

type FetchResponse = fetchV17.FetchResponse;
type FetchRequestTopic = fetchV17.FetchRequestTopic;

const OFFSET_OUT_OF_RANGE = 1;
const RETRY_BACKOFF = { initialMs: 200, maxMs: 5_000 };

/**
 * A RangeSource on @platformatic/kafka. That client can fetch given
 * partitions from given offsets without a consumer group, so this source
 * makes its own fetches: one loop per leader broker, each asking for the
 * assigned, unpaused partitions it leads, from the positions kept here (they
 * live in ZooKeeper, not in Kafka). A fetch answer is delivered only if the
 * partition's position did not change while it was in flight (fetch-cursor.ts),
 * so nothing of a revoked range arrives after revoke() returns.
 *
 * Health: every fetch answer is a broker reply; while no range is fetched, a
 * metadata request every third of the stale time keeps `lastReplyAt` honest
 * (the kafkajs source gets the same from its group heartbeats).
 */
export function createPlatformaticSource(opts: PlatformaticSourceOptions): RangeSource {
  if (!Number.isSafeInteger(opts.partitions) || opts.partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${opts.partitions}`);
  }
  return new PlatformaticSource(opts);
}

class PlatformaticSource implements RangeSource {
  private readonly topic: string;
  private readonly log: Logger;
  private readonly cursors: FetchCursor[];
  private readonly consumer: Consumer;
  private readonly health_: ConsumerHealth;
  private readonly fetchSettings: { maxWaitTime: number; minBytes: number; maxBytes: number; partitionMaxBytes: number };
  private readonly keepAliveMs: number;
  /** The fetch loop of each broker that leads a wanted partition. */
  private readonly loops = new Map<number, Promise<void>>();
  private receiver: ((range: number, messages: SourceMessage[]) => void) | null = null;
  private state: 'latent' | 'starting' | 'started' | 'closed' = 'latent';
  private closePromise: Promise<void> | null = null;
  private keepAlive: NodeJS.Timeout | null = null;
  private readonly stop = new AbortController();

  constructor(private readonly opts: PlatformaticSourceOptions) {
    this.topic = opts.topic;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-source', client: 'platformatic', topic: opts.topic });
    this.cursors = Array.from({ length: opts.partitions }, () => new FetchCursor());
    const staleAfterMs = opts.staleAfterMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    this.health_ = new ConsumerHealth(staleAfterMs);
    this.keepAliveMs = Math.max(100, Math.floor(staleAfterMs / 3));
    const f = opts.fetch ?? {};
    this.fetchSettings = {
      maxWaitTime: f.maxWaitTimeInMs ?? FETCH_DEFAULTS.maxWaitTimeInMs,
      minBytes: f.minBytes ?? FETCH_DEFAULTS.minBytes,
      maxBytes: f.maxBytes ?? FETCH_DEFAULTS.maxBytes,
      partitionMaxBytes: f.maxBytesPerPartition ?? FETCH_DEFAULTS.maxBytesPerPartition,
    };
    this.consumer = new Consumer({
      ...platformaticBaseOptions(opts.connection),
      groupId: opts.groupId,
      // One attempt per fetch: the loop itself retries, with backoff, and reports the error.
      retries: 0,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      ...this.fetchSettings,
    });
    this.consumer.topics.trackAll(this.topic);
    this.listen();
  }

  /** Connection events to the log (never their payloads beyond the broker: SASL ones carry credentials). */
  private listen(): void {
    const at = (p: { broker: { host: string; port: number } }) => ({ broker: `${p.broker.host}:${p.broker.port}` });
    // Emitted for metadata a broker sent, not for answers from the cache.
    this.consumer.on('client:metadata', () => this.health_.brokerReplied());
    this.consumer.on('client:broker:connect', (p) => this.log.debug(at(p), 'connected to broker'));
    this.consumer.on('client:broker:disconnect', (p) => this.log.debug(at(p), 'disconnected from broker'));
    this.consumer.on('client:broker:failed', (p) => this.log.warn(at(p), 'broker connection failed'));
    this.consumer.on('client:broker:sasl:handshake', (p) => this.log.debug({ ...at(p), mechanisms: p.mechanisms }, 'SASL handshake'));
    this.consumer.on('client:broker:sasl:authentication', (p) => this.log.debug(at(p), 'SASL authenticated'));
  }

  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error(`kafka source already ${this.state}`);
    this.state = 'starting';
    try {
      const meta = await this.metadata(true);
      const topic = meta.topics.get(this.topic);
      if (!topic) throw new TopicNotFoundError(this.topic);
      if (topic.partitionsCount < this.opts.partitions) throw new PartitionCountMismatchError(this.topic, this.opts.partitions, topic.partitionsCount);
    } catch (err) {
      await this.close();
      throw /unknown topic/i.test((err as Error).message) ? new TopicNotFoundError(this.topic) : err;
    }
    if (this.closed) return;
    this.health_.joinedGroup();
    this.state = 'started';
    this.keepAlive = setInterval(() => this.tick(), this.keepAliveMs);
    this.keepAlive.unref();
    this.log.info({ partitions: this.opts.partitions }, 'kafka source started');
  }

  async assign(range: number, from: Offset | 'earliest' | 'latest'): Promise<Offset> {
    const cursor = this.cursor(range);
    if (this.state !== 'started' && this.state !== 'starting') throw new Error(`kafka source is ${this.state}`);
    const token = cursor.beginAssign();
    const offset = await this.resolveStart(range, from);
    if (this.closed || !cursor.assignAt(token, offset)) return offset;
    this.log.debug({ range, offset }, 'range assigned');
    this.spawnLoops();
    return offset;
  }

  /** New cursors, unwanted until assigned; fetch loops learn the new partitions' leaders from fresh metadata. */
  grow(partitions: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('kafka source is closed'));
    if (partitions <= this.cursors.length) return Promise.resolve();
    while (this.cursors.length < partitions) this.cursors.push(new FetchCursor());
    return this.learnPartitions().then(() => this.log.info({ partitions }, 'kafka source grown'));
  }

  learnPartitions(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.metadata(true).then(() => undefined);
  }

  revoke(range: number): void {
    const cursor = this.cursor(range);
    if (cursor.revoke()) this.log.debug({ range, next: cursor.next }, 'range revoked');
  }

  pause(range: number): void {
    this.cursor(range).hold();
  }

  resume(range: number): void {
    if (this.cursor(range).release()) this.spawnLoops();
  }

  onMessages(cb: (range: number, messages: SourceMessage[]) => void): void {
    this.receiver = cb;
  }

  async endOffsets(): Promise<Map<number, Offset>> {
    const all = Array.from({ length: this.cursors.length }, (_, p) => p);
    const offsets = await this.consumer.listOffsets({ topics: [this.topic], partitions: { [this.topic]: all }, timestamp: ListOffsetTimestamps.LATEST });
    const high = offsets.get(this.topic) ?? [];
    return new Map(high.map((o, p) => [p, Number(o)]));
  }

  health(): SourceHealth {
    return this.health_.report(this.state === 'started');
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.state = 'closed';
      this.stop.abort();
      if (this.keepAlive) clearInterval(this.keepAlive);
      // Closing the client fails the requests in flight (a fetch to a silent
      // broker would otherwise wait for its timeout), so the loops end at once.
      try {
        await this.consumer.close(true);
      } catch (err) {
        this.log.warn({ err }, 'kafka consumer close failed');
      }
      await Promise.allSettled([...this.loops.values()]);
      this.log.info('kafka source closed');
    })();
    return this.closePromise;
  }

  private get closed(): boolean {
    return this.state === 'closed';
  }

  private cursor(range: number): FetchCursor {
    const cursor = Number.isInteger(range) ? this.cursors[range] : undefined;
    if (!cursor) throw new RangeError(`range ${range} is outside 0..${this.cursors.length - 1}`);
    return cursor;
  }

  /** Cached for a few seconds unless forced; a fetched answer counts as a broker reply (see listen()). */
  private metadata(forceUpdate = false): Promise<ClusterMetadata> {
    return this.consumer.metadata({ topics: [this.topic], forceUpdate });
  }

  /** Keep-alive: with nothing fetched, ask for metadata so a silent cluster shows; start loops a leader change left out. */
  private tick(): void {
    if (this.closed) return;
    const quietFor = Date.now() - (this.health_.report(true).lastReplyAt ?? 0);
    if (this.loops.size === 0 || quietFor >= this.keepAliveMs) {
      this.metadata(true).then(
        () => this.spawnLoops(),
        (err: unknown) => this.health_.failed(err),
      );
    }
  }

  /** Starts a fetch loop for every broker that leads a wanted partition and has none. */
  private spawnLoops(): void {
    if (this.closed || !this.cursors.some((c) => c.wanted)) return;
    this.metadata().then(
      (meta) => {
        if (this.closed) return;
        const parts = meta.topics.get(this.topic)?.partitions ?? [];
        this.cursors.forEach((c, p) => {
          const leader = parts[p]?.leader ?? -1;
          if (c.wanted && leader >= 0 && !this.loops.has(leader)) {
            const loop = this.fetchLoop(leader).finally(() => {
              this.loops.delete(leader);
              // A partition may have moved to a broker whose loop just ended.
              this.spawnLoops();
            });
            this.loops.set(leader, loop);
          }
        });
      },
      (err: unknown) => this.health_.failed(err),
    );
  }

  /** Fetches the wanted partitions `node` leads until there are none (or the source closes). */
  private async fetchLoop(node: number): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      let meta: ClusterMetadata;
      try {
        meta = await this.metadata();
      } catch (err) {
        failures = await this.failed(err, failures, 'kafka metadata failed');
        continue;
      }
      const topicMeta = meta.topics.get(this.topic);
      if (!topicMeta) return;
      const tickets = new Map<number, FetchTicket>();
      const partitions: FetchRequestTopic['partitions'] = [];
      this.cursors.forEach((c, p) => {
        if (!c.wanted || topicMeta.partitions[p]?.leader !== node) return;
        const ticket = c.ticket();
        tickets.set(p, ticket);
        partitions.push({ partition: p, fetchOffset: BigInt(ticket.offset), partitionMaxBytes: this.fetchSettings.partitionMaxBytes, currentLeaderEpoch: -1, lastFetchedEpoch: -1 });
      });
      if (partitions.length === 0) return;
      let response: FetchResponse;
      try {
        response = await this.consumer.fetch({ node, topics: [{ topicId: topicMeta.id, partitions }] });
      } catch (err) {
        if (this.closed) return;
        if (this.outOfRange(err, tickets)) continue;
        failures = await this.failed(err, failures, 'kafka fetch failed');
        continue;
      }
      if (this.closed) return;
      this.health_.brokerReplied();
      failures = 0;
      this.deliver(response, tickets);
    }
  }

  private deliver(response: FetchResponse, tickets: Map<number, FetchTicket>): void {
    for (const t of response.responses) {
      for (const part of t.partitions) {
        const range = part.partitionIndex;
        const ticket = tickets.get(range);
        const cursor = this.cursors[range];
        // An answer for a partition not asked this time (kept in the broker's fetch session) or moved since.
        if (!ticket || !cursor || !cursor.current(ticket)) continue;
        // Paused while the fetch was out: keep the position, fetch it again on resume.
        if (cursor.pausedByPoller) continue;
        const batches = part.records;
        if (!batches || batches.length === 0) continue;
        const last = lastOffsetOf(batches);
        const messages = toSourceMessages(this.topic, range, batches, BigInt(ticket.offset));
        if (last !== null) cursor.advance(ticket, Number(last));
        if (messages.length === 0) continue;
        if (!this.receiver) {
          this.log.warn({ range }, 'no onMessages receiver; fetching the batch again later');
          cursor.moveTo(ticket.offset);
          continue;
        }
        try {
          this.receiver(range, messages);
        } catch (err) {
          this.log.error({ err, range, offset: messages[0]?.offset }, 'onMessages receiver threw; fetching the batch again');
          cursor.moveTo(ticket.offset);
        }
      }
    }
  }

  /**
   * The offset asked for is no longer (or not yet) in the log: go on from the
   * earliest one there is, as the kafkajs source does. True when handled.
   */
  private outOfRange(err: unknown, tickets: Map<number, FetchTicket>): boolean {
    const response = (err as { response?: FetchResponse }).response;
    if (!response?.responses) return false;
    let handled = false;
    for (const t of response.responses) {
      for (const part of t.partitions) {
        if (part.errorCode !== OFFSET_OUT_OF_RANGE) continue;
        const cursor = this.cursors[part.partitionIndex];
        const ticket = tickets.get(part.partitionIndex);
        if (!cursor || !ticket || !cursor.current(ticket) || part.logStartOffset < 0n) continue;
        const to = Number(part.logStartOffset);
        this.log.warn({ range: part.partitionIndex, fetched: ticket.offset, to }, 'assigned offset was not available; continuing from the first one that is');
        cursor.moveTo(to);
        handled = true;
      }
    }
    return handled;
  }

  private async failed(err: unknown, failures: number, what: string): Promise<number> {
    this.health_.failed(err);
    this.consumer.clearMetadata();
    const delayMs = Math.min(RETRY_BACKOFF.maxMs, RETRY_BACKOFF.initialMs * 2 ** failures);
    this.log.warn({ err, delayMs }, what);
    await sleep(delayMs, this.stop.signal).catch(() => undefined);
    return failures + 1;
  }

  private async resolveStart(range: number, from: Offset | 'earliest' | 'latest'): Promise<Offset> {
    if (from === 'earliest' || from === 'latest') {
      const offsets = await this.consumer.listOffsets({
        topics: [this.topic],
        partitions: { [this.topic]: [range] },
        timestamp: from === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
      });
      const offset = offsets.get(this.topic)?.[range];
      if (offset === undefined) throw new Error(`no offsets for partition ${range} of ${this.topic}`);
      return Number(offset);
    }
    if (!Number.isSafeInteger(from) || from < 0) {
      throw new RangeError(`offset must be a non-negative integer, 'earliest' or 'latest'; got ${from}`);
    }
    return from;
  }
}
