/**
 * The keyed load of bench/split.ts and what its handler saw: ring producers
 * that each own a set of keys and number every key's messages, and a check of
 * what the pollers handled (per-key order, duplicates, losses).
 */
import type { RingMessage, RingProducer } from '../poller/index.js';

/** Producer `p` of `producers` sends keys `k<i>` with i % producers == p, each numbered from 0. */
export class KeyedLoad {
  private readonly next = new Map<string, number>();
  private stopped = false;
  private loops: Promise<void>[] = [];
  sent = 0;

  /** `rate`: messages per second over all producers (0: as fast as they go). */
  constructor(private readonly o: { keys: number; batch: number; total: number; rate?: number }) {}

  start(producers: RingProducer[]): void {
    this.loops = producers.map((p, index) => this.loop(p, index, producers.length));
  }

  /** Resolves once `total` messages are sent (or stop() was called) and the last sends landed. */
  async done(): Promise<void> {
    await Promise.all(this.loops);
  }

  stop(): void {
    this.stopped = true;
  }

  /** Messages sent per key (for the loss count). */
  perKey(): ReadonlyMap<string, number> {
    return this.next;
  }

  private async loop(p: RingProducer, index: number, of: number): Promise<void> {
    const mine = Array.from({ length: Math.ceil(this.o.keys / of) }, (_, j) => `k${j * of + index}`).filter((_, j) => j * of + index < this.o.keys);
    let cursor = 0;
    const share = Math.ceil(this.o.total / of);
    const perMs = (this.o.rate ?? 0) / of / 1000;
    const began = performance.now();
    for (let sent = 0; sent < share && !this.stopped; ) {
      if (perMs > 0) {
        const due = began + sent / perMs;
        const now = performance.now();
        if (due > now) await new Promise((r) => setTimeout(r, due - now));
      }
      const records = [];
      for (let i = 0; i < this.o.batch && sent + i < share; i++) {
        const key = mine[cursor++ % mine.length]!;
        const seq = this.next.get(key) ?? 0;
        this.next.set(key, seq + 1);
        records.push({ key, value: String(seq) });
      }
      await p.send(records);
      sent += records.length;
      this.sent += records.length;
    }
  }
}

/** What the handlers saw, checked as they see it. */
export class HandledCheck {
  private readonly last = new Map<string, number>();
  handled = 0;
  outOfOrder = 0;
  duplicates = 0;
  /** First time a message at or past `from[range]` was handled, per range. */
  readonly firstPast = new Map<number, number>();
  private from: number[] = [];
  /** When each partition last handled a message, and its longest wait between two since `resetGaps()`. */
  private readonly lastAt = new Map<number, number>();
  readonly maxGap = new Map<number, number>();
  /**
   * The longest a message of each partition waited since `resetGaps()`,
   * counting only time it was there to handle: from its Kafka timestamp or
   * the partition's previous handled message, whichever is later (wall clock).
   */
  readonly maxWait = new Map<number, number>();
  private readonly lastWall = new Map<number, number>();
  /** Since `resetGaps()`: when each partition's offsets were handled (wall clock), to tell when a partition reached its split point. */
  readonly handledAt = new Map<number, Map<number, number>>();

  readonly handle = (m: RingMessage): void => {
    this.handled++;
    const now = performance.now();
    const wall = Date.now();
    const before = this.lastAt.get(m.partition);
    if (before !== undefined) this.maxGap.set(m.partition, Math.max(this.maxGap.get(m.partition) ?? 0, now - before));
    this.lastAt.set(m.partition, now);
    const waitedFrom = Math.max(Number(m.timestamp), this.lastWall.get(m.partition) ?? 0);
    this.maxWait.set(m.partition, Math.max(this.maxWait.get(m.partition) ?? 0, wall - waitedFrom));
    this.lastWall.set(m.partition, wall);
    this.handledAt.get(m.partition)?.set(Number(m.offset), wall);
    const key = m.key!;
    const seq = Number(m.value.toString());
    const last = this.last.get(key) ?? -1;
    if (seq <= last) this.duplicates++;
    else if (seq !== last + 1) this.outOfOrder++;
    if (seq > last) this.last.set(key, seq);
    const at = this.from[m.range];
    if (at !== undefined && Number(m.offset) >= at && !this.firstPast.has(m.range)) this.firstPast.set(m.range, now);
  };

  /** Starts measuring each partition's longest wait between two handled messages afresh. */
  resetGaps(partitions: number): void {
    this.maxGap.clear();
    this.maxWait.clear();
    this.handledAt.clear();
    // New partitions too (up to a doubling), so their first messages are seen.
    for (let p = 0; p < 2 * partitions; p++) this.handledAt.set(p, new Map());
  }

  /** From now on, note when each range first handles a message at or past `offsets[range]`. */
  watchFrom(offsets: number[]): void {
    this.from = offsets;
    this.firstPast.clear();
  }

  /** Messages sent and never handled (by key: sent count against the highest sequence handled). */
  lost(sent: ReadonlyMap<string, number>): number {
    let lost = 0;
    for (const [key, n] of sent) lost += n - ((this.last.get(key) ?? -1) + 1);
    return lost;
  }
}
