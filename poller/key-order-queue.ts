import { AckWindow } from './ack-window.js';
import type { RingMessage } from './message.js';
import { SeqQueue } from './seq-queue.js';

/**
 * The accepted messages of one range and the order in which they may start:
 * offset order, except that a message whose key already has one running
 * waits behind it (in that key's line) while other keys go ahead. A message
 * waiting behind its key goes first once the key is free, still in order.
 *
 * Messages are addressed by their seq in the AckWindow, which also tracks
 * the lowest unacknowledged offset (what the poller commits).
 *
 * A message without a key has no ordering promise (it is spread round-robin
 * over the ranges), so each one starts independently of every other. Without `perKey` (concurrency 1: one message
 * at a time already keeps every key in order) there is no key bookkeeping.
 */
export class KeyOrderQueue {
  private readonly window = new AckWindow<RingMessage>();
  /** Next seq of the window not yet taken (started or put in a key's line). */
  private cursor = 0;
  /** Taken, but waiting behind a busy key (in a key's line or in `keyFreed`). */
  private waitingBehindKey = 0;
  /** Keys with a message running; the value holds the seqs waiting behind it. */
  private readonly keyLines = new Map<string, SeqQueue | null>();
  /** Seqs whose key just became free: they start before anything new. */
  private keyFreed = new SeqQueue();
  private highestStarted = -1;
  /** Set by a release: seqs above it never start. */
  private startLimit = Number.POSITIVE_INFINITY;
  /** Messages at or past this offset wait (a split's order barrier) until `lift()`. */
  private holdOffset = Number.POSITIVE_INFINITY;

  constructor(private readonly perKey: boolean) {}

  /** Forget everything; the next message expected is at `offset`. */
  reset(offset: number): void {
    this.window.reset(offset);
    this.cursor = 0;
    this.waitingBehindKey = 0;
    this.keyLines.clear();
    this.keyFreed = new SeqQueue();
    this.highestStarted = -1;
    this.startLimit = Number.POSITIVE_INFINITY;
    this.holdOffset = Number.POSITIVE_INFINITY;
  }

  /** Nothing at or past `offset` starts until `lift()`; what is below goes on as usual. Of two holds the lower wins. */
  holdFrom(offset: number): void {
    this.holdOffset = Math.min(this.holdOffset, offset);
  }

  lift(): void {
    this.holdOffset = Number.POSITIVE_INFINITY;
  }

  /** Whether a hold keeps the next message from starting. */
  heldBack(): boolean {
    return this.cursor < this.window.endSeq() && this.window.offsetOf(this.cursor) >= this.holdOffset;
  }

  /** Accepts `msg` at `offset`, unless the offset is older than expected (a stale fetch from before a seek, or already accepted). */
  add(offset: number, msg: RingMessage): void {
    if (offset < this.window.expectedOffset()) return;
    this.window.push(offset, msg);
  }

  item(seq: number): RingMessage {
    return this.window.item(seq);
  }

  /**
   * The seq of the next message that may start, once `admit` agrees (it is
   * asked only when a message could start, and a yes commits to starting
   * it); undefined when none may start now. Messages met behind a busy key
   * are moved to that key's line on the way.
   */
  takeNext(admit: () => boolean): number | undefined {
    for (;;) {
      if (this.keyFreed.length > 0) {
        if (!admit()) return undefined;
        const seq = this.keyFreed.shift() as number;
        this.waitingBehindKey--;
        return this.started(seq);
      }
      const seq = this.cursor;
      if (seq >= this.window.endSeq() || seq > this.startLimit) return undefined;
      if (this.window.offsetOf(seq) >= this.holdOffset) return undefined;
      // Without perKey the key is never read: decoding it is a cost of its own (FetchedMessage).
      const key = this.perKey ? this.window.item(seq).key : null;
      if (key !== null) {
        const line = this.keyLines.get(key);
        if (line !== undefined) {
          this.cursor++;
          this.waitBehind(key, line, seq);
          continue;
        }
        if (!admit()) return undefined;
        this.keyLines.set(key, null);
      } else if (!admit()) {
        return undefined;
      }
      this.cursor++;
      return this.started(seq);
    }
  }

  /** `seq` is finished (handled or dead-lettered): acknowledged, and its key's next message may go. */
  done(seq: number, msg: RingMessage): void {
    this.window.ack(seq);
    if (!this.perKey || msg.key === null) return;
    const next = this.keyLines.get(msg.key)?.shift();
    if (next === undefined) {
      this.keyLines.delete(msg.key);
    } else {
      // Keep the key reserved: its next message goes first, still in order.
      this.keyFreed.push(next);
    }
  }

  /**
   * For a release: everything at or below the highest started seq still
   * gets finished, so that the committed offset covers every handled
   * message; nothing above it starts. Returns the offset of that last seq
   * (null when nothing started).
   */
  stopAfterHighestStarted(): number | null {
    const limit = this.highestStarted;
    this.startLimit = limit;
    const keep = (seq: number): boolean => seq <= limit;
    this.waitingBehindKey -= this.keyFreed.retain(keep);
    for (const line of this.keyLines.values()) {
      if (line) this.waitingBehindKey -= line.retain(keep);
    }
    return limit >= 0 ? this.window.offsetOf(limit) : null;
  }

  /** Messages accepted and not started (those past a release's limit excepted: they never will). */
  queued(): number {
    const notTaken = this.startLimit === Number.POSITIVE_INFINITY ? this.window.endSeq() - this.cursor : 0;
    return notTaken + this.waitingBehindKey;
  }

  /** Taken messages still waiting behind their key: a release waits for them. */
  waiting(): number {
    return this.waitingBehindKey;
  }

  /** The lowest unacknowledged offset, or the next expected one when all are acknowledged. */
  committable(): number {
    return this.window.lowWater();
  }

  private waitBehind(key: string, line: SeqQueue | null, seq: number): void {
    this.waitingBehindKey++;
    if (line) {
      line.push(seq);
      return;
    }
    const q = new SeqQueue();
    q.push(seq);
    this.keyLines.set(key, q);
  }

  private started(seq: number): number {
    if (seq > this.highestStarted) this.highestStarted = seq;
    return seq;
  }
}
