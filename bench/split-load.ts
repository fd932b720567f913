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

  constructor(private readonly o: { keys: number; batch: number; total: number }) {}

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
    for (let sent = 0; sent < share && !this.stopped; ) {
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

  readonly handle = (m: RingMessage): void => {
    this.handled++;
    const now = performance.now();
    const before = this.lastAt.get(m.partition);
    if (before !== undefined) this.maxGap.set(m.partition, Math.max(this.maxGap.get(m.partition) ?? 0, now - before));
    this.lastAt.set(m.partition, now);
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
  resetGaps(): void {
    this.maxGap.clear();
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
