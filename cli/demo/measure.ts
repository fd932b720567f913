import type { GroupSnapshot } from '../../coordinator/index.js';

/**
 * Times a move of one poller's ranges to the others, from watches on their
 * lease znodes (LeaseWatch, a few ms of resolution) and group snapshots.
 *
 * - `totalMs`: from `startedAt` (the kill, or the drain request) until every
 *   range the poller held is held by another poller: the recovery time.
 * - `maxPauseMs`: the longest time a range had no holder, from its release
 *   (lease gone) to its acquisition by the new owner: the handoff pause.
 */
export class MoveTimer {
  private readonly releasedAt = new Map<number, number>();
  private readonly acquiredAt = new Map<number, { at: number; by: string }>();
  doneAt: number | null = null;

  constructor(
    readonly poller: string,
    readonly ranges: number[],
    readonly startedAt: number,
  ) {
    if (!ranges.length) this.doneAt = startedAt;
  }

  /** The ranges `poller` holds in `s`. */
  static heldBy(s: GroupSnapshot | null, poller: string): number[] {
    return s ? s.assignment.filter((r) => r.owner === poller).map((r) => r.range) : [];
  }

  /** Every range of `s`, seen at `now`. */
  observe(s: GroupSnapshot, now = Date.now()): void {
    for (const range of this.ranges) this.observeRange(range, s.assignment[range]?.owner ?? null, now);
  }

  /**
   * One range's lease holder (null: no lease) as seen at `at`. Fed by lease
   * watches (precise) and by snapshots (a safety net); the earliest sighting
   * of each change wins, since every sighting comes after the change itself.
   */
  observeRange(range: number, owner: string | null, at: number): void {
    // Sightings keep coming after done: a lease watch's read may finish after
    // a snapshot but have fired earlier, and then it is the truer time.
    if (!this.ranges.includes(range)) return;
    if (owner !== this.poller) {
      const r = this.releasedAt.get(range);
      if (r === undefined || at < r) this.releasedAt.set(range, at);
    }
    if (owner !== null && owner !== this.poller) {
      const a = this.acquiredAt.get(range);
      if (a === undefined || at < a.at) this.acquiredAt.set(range, { at, by: owner });
    }
    if (this.acquiredAt.size === this.ranges.length) this.doneAt = Math.max(...[...this.acquiredAt.values()].map((a) => a.at));
  }

  get done(): boolean {
    return this.doneAt !== null;
  }

  get totalMs(): number | null {
    return this.doneAt === null ? null : this.doneAt - this.startedAt;
  }

  /** Pause per moved range (ms), for the ranges acquired so far. */
  pauses(): number[] {
    return [...this.acquiredAt].map(([range, a]) => a.at - (this.releasedAt.get(range) ?? a.at));
  }

  get maxPauseMs(): number | null {
    const p = this.pauses();
    return this.done && p.length ? Math.max(...p) : this.done ? 0 : null;
  }

  /** Where each range went: "3->poller-1". */
  moves(): string[] {
    return [...this.acquiredAt].sort((a, b) => a[0] - b[0]).map(([range, a]) => `${range}->${a.by}`);
  }
}
