import type { Offset } from '../../coordinator/index.js';

/** Where a fetch of one partition started, to tell later whether its answer still counts. */
export interface FetchTicket {
  offset: Offset;
  version: number;
}

/**
 * The source's view of one partition (range r is partition r) on a client
 * whose fetches the source makes itself: whether the poller holds the range,
 * whether it asked for a backpressure pause, and the next offset to fetch.
 * Every change of position (assign, revoke, rewind, a reset after an offset
 * went out of range) bumps `version`, so the answer to a fetch sent before it
 * is dropped. No I/O.
 */
export class FetchCursor {
  assigned = false;
  pausedByPoller = false;
  next: Offset = 0;
  private version = 0;

  /** An assign() begins; pass the result to assignAt() once its offset is known. */
  beginAssign(): number {
    return ++this.version;
  }

  /** Delivers from `offset` on, unless a revoke or another assign came since `token` (it wins). */
  assignAt(token: number, offset: Offset): boolean {
    if (token !== this.version) return false;
    this.assigned = true;
    this.pausedByPoller = false;
    this.next = offset;
    this.version++;
    return true;
  }

  /** False when the range was not assigned. */
  revoke(): boolean {
    this.version++;
    if (!this.assigned) return false;
    this.assigned = false;
    this.pausedByPoller = false;
    return true;
  }

  hold(): boolean {
    if (!this.assigned || this.pausedByPoller) return false;
    this.pausedByPoller = true;
    return true;
  }

  release(): boolean {
    if (!this.assigned || !this.pausedByPoller) return false;
    this.pausedByPoller = false;
    return true;
  }

  /** To be fetched in the next request. */
  get wanted(): boolean {
    return this.assigned && !this.pausedByPoller;
  }

  /** Taken when a fetch request including this partition is sent. */
  ticket(): FetchTicket {
    return { offset: this.next, version: this.version };
  }

  /** The answer to the fetch of `ticket` may be delivered: no position change since it was sent. */
  current(ticket: FetchTicket): boolean {
    return this.assigned && ticket.version === this.version && ticket.offset === this.next;
  }

  /** The answer to `ticket` covered offsets up to `lastOffset` (records filtered out included). */
  advance(ticket: FetchTicket, lastOffset: Offset): void {
    if (this.current(ticket) && lastOffset + 1 > this.next) this.next = lastOffset + 1;
  }

  /** Fetch from `to` again (delivery failed, or the offset is gone); answers in flight are dropped. */
  moveTo(to: Offset): boolean {
    if (!this.assigned) return false;
    this.next = to;
    this.version++;
    return true;
  }
}
