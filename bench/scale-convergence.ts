/**
 * Whether a group has converged, from the events its members report: for the
 * latest published epoch, every range's lease is held by the owner that epoch
 * names.
 *
 * Events reach the parent in batches from several processes, so the events of
 * different members can arrive in any order (even their timestamps cannot
 * order them: a new holder may report its acquisition before the old one has
 * handled the reply to its release). The events of one member do arrive in
 * order (one process, one channel). So each range keeps the members whose
 * last word on it was "acquired"; a range is held by its owner when the owner
 * is among them (leases are exclusive: the others' releases are on their way).
 */
export class ConvergenceTracker {
  /** Per range, the members whose last event for it was an acquisition (usually one). */
  private readonly holders: (string[] | null)[];
  private owners: readonly (string | null)[] | null = null;
  private latestEpoch = -1;
  private mismatches = 0;
  private latestAtSinceMark = 0;

  constructor(readonly ranges: number) {
    this.holders = new Array<string[] | null>(ranges).fill(null);
  }

  get epoch(): number {
    return this.latestEpoch;
  }

  /** The owners of the latest published epoch (null before the first). */
  get currentOwners(): readonly (string | null)[] | null {
    return this.owners;
  }

  get converged(): boolean {
    return this.owners !== null && this.mismatches === 0;
  }

  /** Ranges not (yet) held by the owner the latest epoch names. */
  get pending(): number {
    return this.owners === null ? this.ranges : this.mismatches;
  }

  /** Starts a measurement: `latestAt` is the time of the last event applied after this. */
  mark(): void {
    this.latestAtSinceMark = 0;
  }

  /** Time of the latest event applied since `mark()` (0 if none): when convergence happened, once converged. */
  get latestAt(): number {
    return this.latestAtSinceMark;
  }

  published(epoch: number, owners: readonly (string | null)[], at: number): void {
    if (epoch <= this.latestEpoch) return;
    if (owners.length !== this.ranges) throw new RangeError(`epoch ${epoch} names ${owners.length} owners for ${this.ranges} ranges`);
    this.latestEpoch = epoch;
    this.owners = owners;
    this.mismatches = 0;
    for (let r = 0; r < this.ranges; r++) if (!this.matches(r)) this.mismatches++;
    this.seen(at);
  }

  acquired(member: string, range: number, at: number): void {
    if (!this.valid(range)) return;
    this.seen(at);
    const held = this.holders[range];
    if (held?.includes(member)) return;
    const before = this.matches(range);
    if (held) held.push(member);
    else this.holders[range] = [member];
    this.count(before, range);
  }

  /** A graceful release or a loss. */
  released(member: string, range: number, at: number): void {
    if (!this.valid(range)) return;
    this.seen(at);
    const held = this.holders[range];
    const i = held?.indexOf(member) ?? -1;
    if (i < 0) return;
    const before = this.matches(range);
    held!.splice(i, 1);
    if (held!.length === 0) this.holders[range] = null;
    this.count(before, range);
  }

  /** Whether the events say `member` holds `range`. */
  holds(member: string, range: number): boolean {
    return this.holders[range]?.includes(member) ?? false;
  }

  /** The members the events say hold `range`. */
  holdersOf(range: number): string[] {
    return [...(this.holders[range] ?? [])];
  }

  /** Up to `limit` ranges not held by their owner, for progress lines. */
  pendingRanges(limit: number): { range: number; owner: string | null; holders: string[] }[] {
    const out: { range: number; owner: string | null; holders: string[] }[] = [];
    if (!this.owners) return out;
    for (let r = 0; r < this.ranges && out.length < limit; r++) {
      if (!this.matches(r)) out.push({ range: r, owner: this.owners[r] ?? null, holders: this.holdersOf(r) });
    }
    return out;
  }

  /** Whether the events say the owner the latest epoch names holds `range`. */
  heldByOwner(range: number): boolean {
    return this.matches(range);
  }

  private matches(range: number): boolean {
    const owner = this.owners?.[range] ?? null;
    const held = this.holders[range];
    return owner === null ? !held : held?.includes(owner) === true;
  }

  private count(before: boolean, range: number): void {
    if (!this.owners) return;
    const after = this.matches(range);
    if (before && !after) this.mismatches++;
    else if (!before && after) this.mismatches--;
  }

  private valid(range: number): boolean {
    return Number.isInteger(range) && range >= 0 && range < this.ranges;
  }

  private seen(at: number): void {
    if (at > this.latestAtSinceMark) this.latestAtSinceMark = at;
  }
}

/** Members whose ranges changed between two assignments (lost some, gained some, or both). */
export function movedMembers(before: readonly (string | null)[], after: readonly (string | null)[]): Set<string> {
  const moved = new Set<string>();
  const n = Math.max(before.length, after.length);
  for (let r = 0; r < n; r++) {
    const a = before[r] ?? null;
    const b = after[r] ?? null;
    if (a === b) continue;
    if (a !== null) moved.add(a);
    if (b !== null) moved.add(b);
  }
  return moved;
}

/** Ranges whose owner differs between two assignments. */
export function movedRanges(before: readonly (string | null)[], after: readonly (string | null)[]): number[] {
  const out: number[] = [];
  for (let r = 0; r < after.length; r++) if ((before[r] ?? null) !== (after[r] ?? null)) out.push(r);
  return out;
}
