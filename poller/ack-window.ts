// The accepted-but-uncommitted messages of one range, in offset order, with
// an acked flag each. The low-water mark (lowest unacked offset) moves forward
// as the head gets acked, so an ack is O(1) amortised and never scans.
//
// Entries are addressed by a sequence number that grows by one per push; the
// storage is a ring buffer that doubles when full.

export class AckWindow<T> {
  private items: (T | undefined)[];
  private offsets: Float64Array;
  private acked: Uint8Array;
  private mask: number;
  private headSeq = 0;
  private tailSeq = 0;
  /** Offset just past the last pushed one (or the start offset). */
  private nextOffset = 0;

  constructor(initialCapacity = 1024) {
    const cap = nextPowerOfTwo(Math.max(2, initialCapacity));
    this.items = new Array<T | undefined>(cap);
    this.offsets = new Float64Array(cap);
    this.acked = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** Forget everything; the next push must have offset >= `offset`. */
  reset(offset: number): void {
    for (let s = this.headSeq; s < this.tailSeq; s++) this.items[s & this.mask] = undefined;
    this.headSeq = this.tailSeq = 0;
    this.nextOffset = offset;
  }

  /** Offsets below this are stale (already pushed or before the start). */
  expectedOffset(): number {
    return this.nextOffset;
  }

  push(offset: number, item: T): number {
    if (this.tailSeq - this.headSeq > this.mask) this.grow();
    const seq = this.tailSeq++;
    const i = seq & this.mask;
    this.items[i] = item;
    this.offsets[i] = offset;
    this.acked[i] = 0;
    this.nextOffset = offset + 1;
    return seq;
  }

  /** Seq numbers at or past this one have not been pushed yet. */
  endSeq(): number {
    return this.tailSeq;
  }

  item(seq: number): T {
    return this.items[seq & this.mask] as T;
  }

  offsetOf(seq: number): number {
    return this.offsets[seq & this.mask] as number;
  }

  /** Marks `seq` acked; entries leave the window once everything before them is acked. */
  ack(seq: number): void {
    if (seq < this.headSeq || seq >= this.tailSeq) return;
    this.acked[seq & this.mask] = 1;
    while (this.headSeq < this.tailSeq && this.acked[this.headSeq & this.mask] === 1) {
      this.items[this.headSeq & this.mask] = undefined;
      this.headSeq++;
    }
  }

  /** Lowest unacked offset, or just past the last pushed offset when all are acked. */
  lowWater(): number {
    return this.headSeq < this.tailSeq ? (this.offsets[this.headSeq & this.mask] as number) : this.nextOffset;
  }

  size(): number {
    return this.tailSeq - this.headSeq;
  }

  private grow(): void {
    const oldCap = this.mask + 1;
    const cap = oldCap * 2;
    const items = new Array<T | undefined>(cap);
    const offsets = new Float64Array(cap);
    const acked = new Uint8Array(cap);
    const newMask = cap - 1;
    for (let s = this.headSeq; s < this.tailSeq; s++) {
      const from = s & this.mask;
      const to = s & newMask;
      items[to] = this.items[from];
      offsets[to] = this.offsets[from] as number;
      acked[to] = this.acked[from] as number;
    }
    this.items = items;
    this.offsets = offsets;
    this.acked = acked;
    this.mask = newMask;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
