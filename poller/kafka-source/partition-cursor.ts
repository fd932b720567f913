import { offsetFromString, type Offset } from '../../coordinator/index.js';
import { RangeCursor } from '../range-cursor.js';

/** One fetch of one partition, as kafkajs hands it to eachBatch. */
export interface FetchedBatch<M extends { offset: string }> {
  /** The position the fetch started from; kafkajs drops any message below it. */
  fetchedOffset: Offset;
  /** The last offset the fetch covered, including records kafkajs filtered out (aborted, control). */
  lastOffset: Offset;
  messages: M[];
  /** True when a seek of this partition is pending, so the batch was fetched before it. */
  isStale(): boolean;
}

/**
 * Why a batch did not start where the cursor expected, right after a seek:
 * - 'before': the fetch started below the expected offset (a stale batch
 *   that slipped past the seek check); only what was not delivered is kept.
 * - 'unavailable': it started above (the offset was deleted by retention and
 *   kafkajs restarted from the earliest one there is).
 */
type StartSurprise = 'before' | 'unavailable';

interface TakenBatch<M> {
  /** What to deliver, in offset order; may be empty. */
  messages: M[];
  /** The position expected before this batch, to rewind to if delivery fails. */
  expected: Offset;
  surprise: StartSurprise | null;
}

/**
 * The kafkajs source's view of one partition (poller/range-cursor.ts), plus
 * what kafkajs needs: positions live here, not in Kafka (kafkajs forgets
 * them on every group rejoin and restart, so the source seeks back to
 * `next`), and each new position is a seek whose first batch is checked.
 */
export class PartitionCursor extends RangeCursor {
  /** Set by each seek; cleared by the first batch after it, to report an unexpected start. */
  justSeeked = false;

  protected positioned(): void {
    this.justSeeked = true;
  }

  /**
   * The consumer (re)joined its group and forgot its position. Says where it
   * must seek (null: nowhere) and whether the partition must stay paused.
   */
  rejoined(): { seekTo: Offset | null; paused: boolean } {
    if (!this.assigned) return { seekTo: null, paused: true };
    this.justSeeked = true;
    return { seekTo: this.next, paused: this.pausedByPoller };
  }

  /**
   * Which messages of a fetched batch to deliver, moving `next` past the
   * batch. Null: drop the whole batch and change nothing (the range is not
   * assigned, or the batch predates the latest seek). A dropped batch is
   * auto-resolved by kafkajs, which does not matter: every assign or rewind
   * seeks before it fetches again.
   */
  take<M extends { offset: string }>(batch: FetchedBatch<M>): TakenBatch<M> | null {
    if (!this.assigned) return null;
    // kafkajs keeps a seek pending until the next fetch of this partition's
    // broker, and that fetch only starts after every batch of the current one
    // is handled, so a pending seek marks every stale batch of this partition.
    if (batch.isStale()) return null;

    const expected = this.next;
    const fetched = batch.fetchedOffset;
    let messages = batch.messages;
    let surprise: StartSurprise | null = null;
    if (fetched < expected) {
      messages = messages.filter((m) => offsetFromString(m.offset) >= expected);
      if (this.justSeeked) surprise = 'before';
    } else if (fetched > expected && this.justSeeked) {
      surprise = 'unavailable';
    }
    // fetched > expected without a seek is normal: batches holding only
    // transaction markers or aborted records are resolved by kafkajs without
    // reaching us.
    this.justSeeked = false;
    if (batch.lastOffset + 1 > this.next) this.next = batch.lastOffset + 1;
    return { messages, expected, surprise };
  }
}
