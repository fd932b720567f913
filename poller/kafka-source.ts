import { AssignerProtocol } from 'kafkajs';
import type {
  Admin,
  Batch,
  Consumer,
  ConsumerRunConfig,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
  PartitionAssigner,
} from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { partitionCount, PartitionCountMismatchError, TopicNotFoundError } from './kafka-admin.js';
import type { RingMessage } from './message.js';

/**
 * One Kafka record as the poller sees it (range r is partition r): already in
 * the shape handlers get, so the hot path allocates one object per message.
 * Keys are decoded as UTF-8 (DESIGN.md: key is a string); a missing value is
 * an empty buffer.
 */
export type SourceMessage = RingMessage;

const EMPTY = Buffer.alloc(0);

/**
 * What the poller needs from a Kafka client, kept small so another client
 * (@platformatic/kafka, librdkafka) can replace kafkajs.
 */
export interface RangeSource {
  /** Connect and join the source's own consumer group; every range starts paused. */
  start(): Promise<void>;
  /**
   * Start delivering range `range` from `from` on (a numeric offset string,
   * or 'earliest' / 'latest'). Resolves the actual numeric start offset.
   */
  assign(range: number, from: string | 'earliest' | 'latest'): Promise<string>;
  /** Stop fetching at once; nothing more of `range` is delivered after this returns. */
  revoke(range: number): void;
  /** Backpressure: stop fetching an assigned range for now; it stays assigned. */
  pause(range: number): void;
  resume(range: number): void;
  /** The one receiver; called in offset order per range, never for a range not assigned. */
  onMessages(cb: (range: number, messages: SourceMessage[]) => void): void;
  /** High watermark (next offset to be written) of every partition, for lag. */
  endOffsets(): Promise<Map<number, string>>;
  health(): { connected: boolean; lastError?: string };
  close(): Promise<void>;
}

/** Fetch settings; the defaults favour throughput and quick reaction to assign(). */
export interface KafkajsFetchOptions {
  maxBytesPerPartition?: number;
  maxBytes?: number;
  minBytes?: number;
  /**
   * Also how long a newly assigned range may wait for its first fetch when
   * every range was paused (kafkajs then sleeps this long between polls).
   */
  maxWaitTimeInMs?: number;
  partitionsConsumedConcurrently?: number;
}

export interface KafkajsSourceOptions {
  kafka: Kafka;
  topic: string;
  /** The source's own group, `ringleader.<group>.<pollerId>`; never shared with another poller. */
  groupId: string;
  /** The group's range count; the topic must have exactly this many partitions. */
  partitions: number;
  logger?: Logger;
  fetch?: KafkajsFetchOptions;
  /** Kafka group session; a restarted poller with the same id may wait this long to join. */
  sessionTimeout?: number;
  /** health() reports disconnected when no broker reply came for this long. */
  staleAfterMs?: number;
}

// kafkajs keeps this on every batch but leaves it out of its typings.
type FetchedBatch = Batch & { fetchedOffset: string };

interface RangeState {
  assigned: boolean;
  /** Backpressure pause asked by the poller (only meaningful while assigned). */
  held: boolean;
  /** Next offset to deliver: the kafkajs position we expect for this range. */
  next: number;
  /** Set by each seek; cleared by the first batch after it, to report an unexpected start. */
  justSeeked: boolean;
  /** Bumped by every assign and revoke, so a slow assign() cannot undo a later call. */
  token: number;
}

const ASSIGNER_NAME = 'RingleaderEveryPartition';

/**
 * Gives every member every partition. The group has one member (its own
 * poller); a restarted poller may briefly share it with its dead predecessor,
 * and both then see everything: ownership is decided by ZooKeeper leases, not
 * by Kafka.
 */
const everyPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: ASSIGNER_NAME,
  version: 0,
  async assign({ members, topics }) {
    const assignment: Record<string, number[]> = {};
    for (const topic of topics) {
      assignment[topic] = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
    }
    const memberAssignment = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment,
      userData: Buffer.alloc(0),
    });
    return members.map(({ memberId }) => ({ memberId, memberAssignment }));
  },
  protocol({ topics }) {
    return {
      name: ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});

const OFFSET_PATTERN = /^\d+$/;

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
  const { kafka, topic, partitions } = opts;
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  }
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'kafka-source', topic });
  const fetchOpts = opts.fetch ?? {};
  const sessionTimeout = opts.sessionTimeout ?? 10_000;
  const staleAfterMs = opts.staleAfterMs ?? Math.max(sessionTimeout, 10_000);

  const ranges: RangeState[] = Array.from({ length: partitions }, () => ({
    assigned: false,
    held: false,
    next: 0,
    justSeeked: false,
    token: 0,
  }));

  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    partitionAssigners: [everyPartitionAssigner],
    sessionTimeout,
    heartbeatInterval: Math.floor(sessionTimeout / 3),
    rebalanceTimeout: sessionTimeout,
    maxBytesPerPartition: fetchOpts.maxBytesPerPartition ?? 1024 * 1024,
    maxBytes: fetchOpts.maxBytes ?? 10 * 1024 * 1024,
    minBytes: fetchOpts.minBytes ?? 1,
    maxWaitTimeInMs: fetchOpts.maxWaitTimeInMs ?? 100,
    allowAutoTopicCreation: false,
    retry: { restartOnFailure: async () => !closing },
  });
  const admin: Admin = kafka.admin();

  let receiver: ((range: number, messages: SourceMessage[]) => void) | null = null;
  let state: 'latent' | 'starting' | 'started' | 'closed' = 'latent';
  let closing = false;
  let joined = false;
  let lastReplyAt = 0;
  let lastError: string | undefined;
  let restartTimer: NodeJS.Timeout | null = null;
  let restartDelayMs = 1000;
  let closePromise: Promise<void> | null = null;
  let firstJoin: { resolve: () => void; promise: Promise<void> } | null = null;

  const runConfig: ConsumerRunConfig = {
    autoCommit: false,
    eachBatchAutoResolve: true,
    partitionsConsumedConcurrently: fetchOpts.partitionsConsumedConcurrently ?? Math.min(partitions, 4),
    eachBatch: async (payload) => onBatch(payload),
  };

  function rangeState(range: number): RangeState {
    const st = Number.isInteger(range) ? ranges[range] : undefined;
    if (!st) throw new RangeError(`range ${range} is outside 0..${partitions - 1}`);
    return st;
  }

  // pause/resume/seek throw while kafkajs is between a crash and its restart
  // (no consumer group object); the state above is re-applied on the next
  // group join, so missing the call then is harmless.
  function onConsumer(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      log.debug({ err, what }, 'consumer not running; applied on next group join');
    }
  }

  function seekAndResume(range: number, st: RangeState): void {
    onConsumer('seek', () => {
      consumer.seek({ topic, partition: range, offset: String(st.next) });
      if (!st.held) consumer.resume([{ topic, partitions: [range] }]);
    });
  }

  function onGroupJoin(): void {
    joined = true;
    lastReplyAt = Date.now();
    restartDelayMs = 1000;
    const paused: number[] = [];
    const active: number[] = [];
    ranges.forEach((st, range) => {
      if (st.assigned) {
        st.justSeeked = true;
        onConsumer('seek', () => consumer.seek({ topic, partition: range, offset: String(st.next) }));
        (st.held ? paused : active).push(range);
      } else {
        paused.push(range);
      }
    });
    onConsumer('pause', () => {
      if (paused.length > 0) consumer.pause([{ topic, partitions: paused }]);
      if (active.length > 0) consumer.resume([{ topic, partitions: active }]);
    });
    log.debug({ assigned: active.length, paused: paused.length }, 'joined own consumer group');
    firstJoin?.resolve();
  }

  function onBatch({ batch, isStale }: EachBatchPayload): void {
    const range = batch.partition;
    const st = ranges[range];
    // A partition without a lease: dropped unprocessed (kafkajs auto-resolves
    // it, which does not matter: assign() seeks before resuming).
    if (!st || !st.assigned || closing) return;
    // Fetched before the latest seek: kafkajs keeps a seek pending until the
    // next fetch of this partition's broker, and that fetch only starts after
    // every batch of the current one is handled, so a pending seek marks
    // every stale batch of this partition.
    if (isStale()) return;

    const fetched = Number((batch as FetchedBatch).fetchedOffset);
    let messages: KafkaMessage[] = batch.messages;
    if (fetched < st.next) {
      // From a position before the one we expect (a stale batch that slipped
      // past the seek check): deliver only what we have not delivered.
      messages = messages.filter((m) => Number(m.offset) >= st.next);
      if (st.justSeeked) log.warn({ range, fetched, expected: st.next }, 'fetch started before the assigned offset');
    } else if (fetched > st.next && st.justSeeked) {
      // Right after a seek this means the offset was out of range (deleted
      // by retention) and kafkajs restarted from the earliest offset.
      log.warn({ range, fetched, expected: st.next }, 'assigned offset was not available; continuing from the first one that is');
    }
    // fetched > next without a seek is normal: batches holding only
    // transaction markers or aborted records are resolved by kafkajs without
    // reaching us.
    st.justSeeked = false;
    const previous = st.next;
    const last = Number(batch.lastOffset());
    if (last + 1 > st.next) st.next = last + 1;
    if (messages.length === 0) return;

    const out: SourceMessage[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      out[i] = {
        topic,
        range,
        partition: range,
        offset: m.offset,
        key: m.key ? m.key.toString('utf8') : null,
        value: m.value ?? EMPTY,
        headers: m.headers ? toStringHeaders(m.headers) : {},
        timestamp: m.timestamp,
        attempt: 1,
      };
    }
    if (!receiver) {
      log.warn({ range }, 'no onMessages receiver; fetching the batch again later');
      rewind(range, st, previous);
      return;
    }
    try {
      receiver(range, out);
    } catch (err) {
      // The poller failed to take the batch: fetch it again rather than lose it.
      log.error({ err, range, offset: out[0]?.offset }, 'onMessages receiver threw; fetching the batch again');
      rewind(range, st, previous);
    }
  }

  function rewind(range: number, st: RangeState, to: number): void {
    if (!st.assigned) return;
    st.next = to;
    st.justSeeked = true;
    onConsumer('seek', () => consumer.seek({ topic, partition: range, offset: String(to) }));
  }

  function onCrash(error: Error, restart: boolean): void {
    joined = false;
    lastError = `${error.name}: ${error.message}`;
    log.error({ err: error, restart }, 'kafka consumer crashed');
    if (restart || closing) return;
    // kafkajs gives up on errors it deems non-retriable; the poller must keep
    // consuming once Kafka is back, so restart it ourselves with backoff.
    scheduleRestart();
  }

  function scheduleRestart(): void {
    if (restartTimer || closing) return;
    const delay = restartDelayMs;
    restartDelayMs = Math.min(restartDelayMs * 2, 30_000);
    log.warn({ delayMs: delay }, 'restarting kafka consumer');
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (closing) return;
      consumer
        .connect()
        .then(() => consumer.run(runConfig))
        .catch((err: unknown) => {
          lastError = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
          log.error({ err }, 'kafka consumer restart failed');
          scheduleRestart();
        });
    }, delay);
    restartTimer.unref();
  }

  function listen(): void {
    const { GROUP_JOIN, CRASH, FETCH, HEARTBEAT, REQUEST_TIMEOUT } = consumer.events;
    const seen = () => {
      lastReplyAt = Date.now();
    };
    consumer.on(GROUP_JOIN, onGroupJoin);
    consumer.on(FETCH, seen);
    consumer.on(HEARTBEAT, seen);
    consumer.on(CRASH, (e) => onCrash(e.payload.error, e.payload.restart));
    consumer.on(REQUEST_TIMEOUT, (e) => {
      lastError = `request timeout: ${e.payload.apiName} to ${e.payload.broker}`;
    });
  }

  async function start(): Promise<void> {
    if (state !== 'latent') throw new Error(`kafka source already ${state}`);
    state = 'starting';
    try {
      await startConsumer();
    } catch (err) {
      await close();
      throw err;
    }
    if (closing) return;
    state = 'started';
    log.info({ groupId: opts.groupId, partitions }, 'kafka source started');
  }

  async function startConsumer(): Promise<void> {
    await admin.connect();
    const actual = await partitionCount(admin, topic);
    if (actual === null) throw new TopicNotFoundError(topic);
    if (actual !== partitions) throw new PartitionCountMismatchError(topic, partitions, actual);

    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    firstJoin = { resolve, promise };
    listen();
    await consumer.connect();
    // fromBeginning only matters if kafkajs loses a position it cannot find
    // (offset out of range): the earliest offset then skips the least.
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run(runConfig);
    // run() returns after the first join, or after a crash kafkajs will
    // retry; either way wait for the group to be joined.
    await promise;
    firstJoin = null;
  }

  async function resolveStart(range: number, from: string): Promise<number> {
    if (from === 'earliest' || from === 'latest') {
      const offsets = await admin.fetchTopicOffsets(topic);
      const entry = offsets.find((o) => o.partition === range);
      if (!entry) throw new Error(`no offsets for partition ${range} of ${topic}`);
      return Number(from === 'earliest' ? entry.low : entry.high);
    }
    if (!OFFSET_PATTERN.test(from) || !Number.isSafeInteger(Number(from))) {
      throw new RangeError(`offset must be a non-negative integer, 'earliest' or 'latest'; got ${from}`);
    }
    return Number(from);
  }

  async function assign(range: number, from: string): Promise<string> {
    const st = rangeState(range);
    if (state !== 'started' && state !== 'starting') throw new Error(`kafka source is ${state}`);
    const token = ++st.token;
    const offset = await resolveStart(range, from);
    // A revoke or another assign came while we resolved the offset: it wins.
    if (st.token !== token || closing) return String(offset);
    st.assigned = true;
    st.held = false;
    st.next = offset;
    st.justSeeked = true;
    seekAndResume(range, st);
    log.debug({ range, offset }, 'range assigned');
    return String(offset);
  }

  function revoke(range: number): void {
    const st = rangeState(range);
    st.token++;
    if (!st.assigned) return;
    st.assigned = false;
    st.held = false;
    onConsumer('pause', () => consumer.pause([{ topic, partitions: [range] }]));
    log.debug({ range, next: st.next }, 'range revoked');
  }

  function pause(range: number): void {
    const st = rangeState(range);
    if (!st.assigned || st.held) return;
    st.held = true;
    onConsumer('pause', () => consumer.pause([{ topic, partitions: [range] }]));
  }

  function resume(range: number): void {
    const st = rangeState(range);
    if (!st.assigned || !st.held) return;
    st.held = false;
    onConsumer('resume', () => consumer.resume([{ topic, partitions: [range] }]));
  }

  // The topic was checked in start(); skip endOffsetsWith's existence check,
  // since the poller asks for lag often.
  async function endOffsets(): Promise<Map<number, string>> {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, o.high]));
  }

  function health(): { connected: boolean; lastError?: string } {
    const connected = state === 'started' && joined && Date.now() - lastReplyAt < staleAfterMs;
    return lastError === undefined ? { connected } : { connected, lastError };
  }

  function close(): Promise<void> {
    closePromise ??= (async () => {
      closing = true;
      state = 'closed';
      if (restartTimer) clearTimeout(restartTimer);
      firstJoin?.resolve();
      try {
        await consumer.disconnect();
      } catch (err) {
        log.warn({ err }, 'kafka consumer disconnect failed');
      }
      try {
        await admin.disconnect();
      } catch (err) {
        log.warn({ err }, 'kafka admin disconnect failed');
      }
      log.info('kafka source closed');
    })();
    return closePromise;
  }

  return {
    start,
    assign,
    revoke,
    pause,
    resume,
    onMessages(cb) {
      receiver = cb;
    },
    endOffsets,
    health,
    close,
  };
}

function toStringHeaders(headers: IHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    // Kafka allows a header name more than once; HTTP-style joining keeps every value.
    out[name] = Array.isArray(v) ? v.map((x) => x.toString()).join(', ') : v.toString();
  }
  return out;
}
