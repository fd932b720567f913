import { offsetFromString, type Offset } from '../../coordinator/index.js';

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
 * The source's view of one partition (range r is partition r): whether the
 * poller holds its lease, whether it asked for a backpressure pause, and the
 * next offset to deliver. Positions live here, not in Kafka: kafkajs forgets
 * them on every group rejoin and restart, so the source seeks back to `next`.
 * No I/O: each method says what the consumer must be told, and the source
 * tells it.
 */
export class PartitionCursor {
  /** The poller holds this range; its batches are delivered. */
  assigned = false;
  /** Backpressure pause asked by the poller (only meaningful while assigned). */
  pausedByPoller = false;
  /** Next offset to deliver: the kafkajs position we expect for this range. */
  next: Offset = 0;
  /** Set by each seek; cleared by the first batch after it, to report an unexpected start. */
  justSeeked = false;
  /** Bumped by every assign and revoke, so a slow assign() cannot undo a later call. */
  private token = 0;

  /** An assign() begins; pass the result to assignAt() once its offset is known. */
  beginAssign(): number {
    return ++this.token;
  }

  /**
   * Delivers from `offset` on, unless a revoke or another assign came since
   * `token` was taken (it wins). True when the consumer must seek here and,
   * unless pausedByPoller, resume.
   */
  assignAt(token: number, offset: Offset): boolean {
    if (token !== this.token) return false;
    this.assigned = true;
    this.pausedByPoller = false;
    this.next = offset;
    this.justSeeked = true;
    return true;
  }

  /** True when the consumer must pause the partition. */
  revoke(): boolean {
    this.token++;
    if (!this.assigned) return false;
    this.assigned = false;
    this.pausedByPoller = false;
    return true;
  }

  /** Backpressure on; true when the consumer must pause the partition. */
  hold(): boolean {
    if (!this.assigned || this.pausedByPoller) return false;
    this.pausedByPoller = true;
    return true;
  }

  /** Backpressure off; true when the consumer must resume the partition. */
  release(): boolean {
    if (!this.assigned || !this.pausedByPoller) return false;
    this.pausedByPoller = false;
    return true;
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

  /** Fetch from `to` again (delivery failed); true when the consumer must seek there. */
  rewind(to: Offset): boolean {
    if (!this.assigned) return false;
    this.next = to;
    this.justSeeked = true;
    return true;
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
