import { offsetFromString, type GroupConfig, type Offset } from '../coordinator/index.js';

/**
 * A resized group's old partitions, each until this process has handled it
 * up to its split point. The ranges behind the partition's order barrier
 * wait for that commit (docs/design.md "Growing a group"), so reaching it
 * asks for a commit at once instead of after the commit gap: once per
 * partition per resize, which keeps ZooKeeper's write rate bounded. During
 * a cut-over the split points to be (the resize marker's `ends`) are known
 * already: reaching them then lets the barriers open as soon as the
 * pollers grow.
 */
export class SplitEnds {
  private readonly pending = new Map<number, Offset>();

  constructor(points: readonly Offset[]) {
    points.forEach((offset, partition) => {
      if (offset > 0) this.pending.set(partition, offset);
    });
  }

  /** The split points of a resized group's config (none before any resize). */
  static of(config: GroupConfig): SplitEnds {
    return new SplitEnds((config.split?.offsets ?? []).map(offsetFromString));
  }

  /**
   * True if any partition is already handled up to its split point (each
   * then counts as reached): a parent with no backlog at the cut-over
   * handles nothing more below it, so no handled message would say so.
   */
  reachedAlready(owned: { committable(range: number): Offset | null }): boolean {
    let any = false;
    for (const partition of [...this.pending.keys()]) if (this.reached(partition, owned)) any = true;
    return any;
  }

  /** Some partition has not reached its split point yet. */
  get waiting(): boolean {
    return this.pending.size > 0;
  }

  /** True once: the first time `partition`'s committable offset is at or past its split point. */
  reached(partition: number, owned: { committable(range: number): Offset | null }): boolean {
    if (this.pending.size === 0) return false;
    const at = this.pending.get(partition);
    if (at === undefined || (owned.committable(partition) ?? 0) < at) return false;
    this.pending.delete(partition);
    return true;
  }
}
