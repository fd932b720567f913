import { RingError } from './errors.js';
import { canonicalMembers } from './members.js';
import { quotasOfSorted } from './quotas.js';
import { checkRanges } from './range.js';
import { memberKey, rangeKey, score } from './score.js';
import type { Member, Owners } from './types.js';

export interface AssignInput {
  /** R, the number of ranges (the topic's partition count). */
  ranges: number;
  members: readonly Member[];
  /** The current owners; ranges whose owner stays a member and within quota do not move. */
  previous?: readonly (string | null)[] | undefined;
}

/**
 * Range -> owner assignment (docs/design.md "Assignment"):
 * 1. quotas by weight with largest remainder (equal remainders favour
 *    members already holding more, then smaller ids);
 * 2. each member keeps its previous ranges up to its quota, giving up its
 *    lowest-scoring ones first when over quota;
 * 3. every other range, in range order, goes to the highest-scoring member
 *    still under quota.
 * Ties in score go to the smaller id, and all work runs on members sorted by
 * id, so the result does not depend on the order members are listed in.
 */
export function assign(input: AssignInput): Owners {
  if (input === null || typeof input !== 'object') {
    throw new RingError('assign() takes {ranges, members, previous?}');
  }
  const { ranges, previous } = input;
  checkRanges(ranges);
  const sorted = canonicalMembers(input.members);
  if (previous !== undefined && previous !== null) {
    if (!Array.isArray(previous)) throw new RingError('previous must be an array of owner ids or null');
    if (previous.length !== ranges) {
      throw new RingError(
        `previous has ${previous.length} owners but there are ${ranges} ranges; it must have one per range`,
      );
    }
  }

  const owners: Owners = new Array<string | null>(ranges).fill(null);
  const n = sorted.length;
  if (n === 0) return owners;

  const keys = new Int32Array(n);
  for (let i = 0; i < n; i++) keys[i] = memberKey(sorted[i]!.id);

  // held[i]: ranges given to member i so far; the "room" list holds the
  // members still under quota, so placement never scans full members.
  const held = new Int32Array(n);
  let quota: number[];
  if (previous) {
    const byMember = previousByMember(previous, sorted);
    quota = quotasOfSorted(ranges, sorted, byMember.map((rs) => rs.length));
    keepPrevious(byMember, sorted, quota, keys, owners, held);
  } else {
    quota = quotasOfSorted(ranges, sorted);
  }

  const room: number[] = [];
  for (let i = 0; i < n; i++) if (held[i]! < quota[i]!) room.push(i);

  for (let r = 0; r < ranges; r++) {
    if (owners[r] !== null) continue;
    const rk = rangeKey(r);
    let bestSlot = 0;
    let best = -1;
    let bestIndex = n;
    for (let slot = 0; slot < room.length; slot++) {
      const i = room[slot]!;
      const s = score(keys[i]!, rk);
      if (s > best || (s === best && i < bestIndex)) {
        best = s;
        bestIndex = i;
        bestSlot = slot;
      }
    }
    owners[r] = sorted[bestIndex]!.id;
    if (++held[bestIndex]! >= quota[bestIndex]!) {
      // Swap-remove: room order is irrelevant because ties compare indices.
      room[bestSlot] = room[room.length - 1]!;
      room.pop();
    }
  }
  return owners;
}

/** The previous ranges of each current member (by sorted index); others' ranges are free. */
function previousByMember(previous: readonly (string | null)[], sorted: readonly Member[]): number[][] {
  const indexOf = new Map<string, number>();
  sorted.forEach((m, i) => indexOf.set(m.id, i));
  const byMember: number[][] = sorted.map(() => []);
  for (let r = 0; r < previous.length; r++) {
    const owner = previous[r];
    if (owner === null || owner === undefined) continue;
    const i = indexOf.get(owner);
    if (i !== undefined) byMember[i]!.push(r);
  }
  return byMember;
}

/**
 * Step 2: keep previous ranges of current members, at most quota each. A
 * member over quota keeps its highest-scoring ranges, i.e. gives up its
 * lowest-scoring ones, so what it sheds is what rendezvous would not give it.
 */
function keepPrevious(
  byMember: readonly number[][],
  sorted: readonly Member[],
  quota: readonly number[],
  keys: Int32Array,
  owners: Owners,
  held: Int32Array,
): void {
  for (let i = 0; i < sorted.length; i++) {
    let mine = byMember[i]!;
    const q = quota[i]!;
    if (mine.length > q) {
      const k = keys[i]!;
      const scored = mine.map((r) => ({ r, s: score(k, rangeKey(r)) }));
      // Highest score first; equal scores keep the lower range (stable sort).
      scored.sort((a, b) => b.s - a.s);
      mine = scored.slice(0, q).map((x) => x.r);
    }
    const id = sorted[i]!.id;
    for (const r of mine) owners[r] = id;
    held[i] = mine.length;
  }
}
