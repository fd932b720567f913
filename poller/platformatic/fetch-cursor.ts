import type { Offset } from '../../coordinator/index.js';
import { RangeCursor } from '../range-cursor.js';

/** Where a fetch of one partition started, to tell later whether its answer still counts. */
export interface FetchTicket {
  offset: Offset;
  version: number;
}

/**
 * The view of one partition (poller/range-cursor.ts) of a source that makes
 * its fetches itself: every change of position (assign, revoke, a move after
 * a failed delivery or an offset gone out of range) bumps `version`, so the
 * answer to a fetch sent before it is dropped.
 */
export class FetchCursor extends RangeCursor {
  /** Every new position drops the answers to fetches sent before it. */
  protected positioned(): void {
    this.version++;
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
}
