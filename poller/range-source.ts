import type { Offset } from '../coordinator/index.js';
import type { RingMessage } from './message.js';

/**
 * One Kafka record as the poller sees it (range r is partition r): already in
 * the shape handlers get, so the hot path allocates one object per message.
 * Its offset stays the decimal string handlers receive.
 */
export type SourceMessage = RingMessage;

/** How the source is doing, for /healthz, status and the fetch-stall check (poller/stall-detector.ts). */
export interface SourceHealth {
  /** Usable, and a broker answered lately. */
  connected: boolean;
  /** The last error, kept after a recovery for the operator. */
  lastError?: string;
  /** When a broker last answered (a fetch, a heartbeat); 0 before the first answer. */
  lastReplyAt?: number;
}

/**
 * What the poller needs from a Kafka client, kept small so another client
 * (@platformatic/kafka, librdkafka) can replace kafkajs. Offsets are numbers
 * here; a client converts them from and to its own form.
 */
export interface RangeSource {
  /** Connect and join the source's own consumer group; every range starts paused. */
  start(): Promise<void>;
  /**
   * Start delivering range `range` from `from` on (an offset, or 'earliest' /
   * 'latest'). Resolves the actual start offset.
   */
  assign(range: number, from: Offset | 'earliest' | 'latest'): Promise<Offset>;
  /** Stop fetching at once; nothing more of `range` is delivered after this returns. */
  revoke(range: number): void;
  /**
   * The group now has `partitions` ranges (a resize cut over and the topic
   * has grown): ranges up to `partitions - 1` may be assigned as soon as
   * this is called, each new one paused until then; the promise says when
   * the client has learned of the new partitions. The ranges already
   * assigned keep flowing. Never shrinks.
   */
  grow(partitions: number): Promise<void>;
  /**
   * The topic may have grown (a resize added partitions and is cutting
   * over): read its metadata now, so that grow() finds it learned. Nothing
   * is delivered from the new partitions until grow() and assign().
   */
  learnPartitions(): Promise<void>;
  /** Backpressure: stop fetching an assigned range for now; it stays assigned. */
  pause(range: number): void;
  resume(range: number): void;
  /** The one receiver; called in offset order per range, never for a range not assigned. */
  onMessages(cb: (range: number, messages: SourceMessage[]) => void): void;
  /** High watermark (next offset to be written) of every partition, for lag. */
  endOffsets(): Promise<Map<number, Offset>>;
  health(): SourceHealth;
  close(): Promise<void>;
}
