// A FIFO of sequence numbers (growable ring buffer): shift is O(1), unlike
// Array.prototype.shift on long arrays. Used for the per-key waiting lines of
// the range pipeline.

export class SeqQueue {
  private buf: number[];
  private head = 0;
  private count = 0;

  constructor(capacity = 4) {
    this.buf = new Array<number>(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(seq: number): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) % this.buf.length] = seq;
    this.count++;
  }

  peek(): number | undefined {
    return this.count === 0 ? undefined : this.buf[this.head];
  }

  shift(): number | undefined {
    if (this.count === 0) return undefined;
    const seq = this.buf[this.head];
    this.head = (this.head + 1) % this.buf.length;
    this.count--;
    return seq;
  }

  /** Keeps only the entries that pass `keep`, in order; returns how many were removed. */
  retain(keep: (seq: number) => boolean): number {
    const kept: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const seq = this.buf[(this.head + i) % this.buf.length] as number;
      if (keep(seq)) kept.push(seq);
    }
    const removed = this.count - kept.length;
    this.buf = kept.length > 0 ? kept : new Array<number>(4);
    this.head = 0;
    this.count = kept.length;
    return removed;
  }

  private grow(): void {
    const next = new Array<number>(this.buf.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.buf[(this.head + i) % this.buf.length] as number;
    this.buf = next;
    this.head = 0;
  }
}
