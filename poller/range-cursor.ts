import type { Offset } from '../coordinator/index.js';

/**
 * What every source knows of one partition (range r is partition r), whatever
 * its client: whether the poller holds the range, whether it asked for a
 * backpressure pause, and the next offset to deliver. No I/O: each method
 * says whether the client must be told (pause, resume, seek), and the source
 * tells it.
 *
 * `version` grows with every assign and revoke, so a slow assign() (its
 * offset still being resolved) cannot undo a later call. A subclass says what
 * a new position means for its client (`positioned`): a pending seek for
 * kafkajs, dropped answers for a source that fetches itself.
 */
export abstract class RangeCursor {
  /** The poller holds this range; its messages are delivered. */
  assigned = false;
  /** Backpressure pause asked by the poller (only meaningful while assigned). */
  pausedByPoller = false;
  /** Next offset to deliver. */
  next: Offset = 0;
  protected version = 0;

  /** The position moved to `next` (an assign or a move). */
  protected abstract positioned(): void;

  /** An assign() begins; pass the result to assignAt() once its offset is known. */
  beginAssign(): number {
    return ++this.version;
  }

  /**
   * Delivers from `offset` on, unless a revoke or another assign came since
   * `token` was taken (it wins). True when the client must seek here and,
   * unless pausedByPoller, resume.
   */
  assignAt(token: number, offset: Offset): boolean {
    if (token !== this.version) return false;
    this.assigned = true;
    this.pausedByPoller = false;
    this.next = offset;
    this.positioned();
    return true;
  }

  /** True when the client must pause the partition (it was assigned). */
  revoke(): boolean {
    this.version++;
    if (!this.assigned) return false;
    this.assigned = false;
    this.pausedByPoller = false;
    return true;
  }

  /** Backpressure on; true when the client must pause the partition. */
  hold(): boolean {
    if (!this.assigned || this.pausedByPoller) return false;
    this.pausedByPoller = true;
    return true;
  }

  /** Backpressure off; true when the client must resume the partition. */
  release(): boolean {
    if (!this.assigned || !this.pausedByPoller) return false;
    this.pausedByPoller = false;
    return true;
  }

  /** Deliver from `to` again (delivery failed, or the offset is gone); true when the client must seek there. */
  moveTo(to: Offset): boolean {
    if (!this.assigned) return false;
    this.next = to;
    this.positioned();
    return true;
  }
}
