import { RingError } from './errors.js';
import { canonicalMembers } from './members.js';
import { quotasOfSorted } from './quotas.js';
import { MAX_RANGES, checkRanges } from './range.js';
import { KEY_CLASSES, keyClassOf, memberKey, rangeKey, score } from './score.js';
import type { Member, Owners } from './types.js';
import { XorTrie } from './xor-trie.js';

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
 * Ties in score go to the smaller id (and among one member's own ranges, to
 * the lower range), and all work runs on members sorted by id, so the result
 * does not depend on the order members are listed in.
 *
 * The score is a member key XOR a range key (ring/score.ts), so step 3 asks
 * a trie of the under-quota members' keys for each range (ring/xor-trie.ts)
 * instead of scoring every member: a walk of at most 32 nodes, about
 * log2(n) + 2 for random keys, per range placed and per member filling up.
 * In all O((n + R) log(n + R)) time (sorting members, their keys, and what
 * over-quota members shed) and O(n + R) memory (two trie records per
 * under-quota member and key class), never anything per member and range
 * pair.
 */
export function assign(input: AssignInput): Owners {
  if (input === null || typeof input !== 'object') {
    throw new RingError('assign() takes {ranges, members, previous?}');
  }
  const { ranges, previous } = input;
  checkRanges(ranges);
  const sorted = canonicalMembers(input.members);
  if (previous !== undefined && previous !== null) checkPrevious(previous, ranges);

  const owners: Owners = new Array<string | null>(ranges).fill(null);
  const n = sorted.length;
  if (n === 0) return owners;

  const keys = memberKeys(sorted);

  // held[i]: ranges given to member i so far.
  const held = new Int32Array(n);
  let quota: number[];
  if (previous) {
    const prior = previousByMember(previous, sorted);
    quota = quotasOfSorted(ranges, sorted, prior.count);
    keepPrevious(prior, sorted, quota, keys, owners, held);
  } else {
    quota = quotasOfSorted(ranges, sorted);
  }
  placeFree(sorted, quota, keys, owners, held);
  return owners;
}

/** keys[c][i]: member i's key of class c. */
type MemberKeys = Int32Array[];

function memberKeys(sorted: readonly Member[]): MemberKeys {
  return Array.from({ length: KEY_CLASSES }, (_, c) => {
    const keys = new Int32Array(sorted.length);
    for (let i = 0; i < sorted.length; i++) keys[i] = memberKey(sorted[i]!.id, c);
    return keys;
  });
}

function checkPrevious(previous: unknown, ranges: number): void {
  if (!Array.isArray(previous)) throw new RingError('previous must be an array of owner ids or null');
  if (previous.length !== ranges) {
    throw new RingError(
      `previous has ${previous.length} owners but there are ${ranges} ranges; it must have one per range`,
    );
  }
}

/**
 * The previous ranges of each current member (by sorted index), in range
 * order: member i's are ranges[start[i] .. start[i] + count[i]). Ranges of
 * non-members and nulls are free. Flat typed arrays, not one array per member.
 */
interface PreviousRanges {
  count: Int32Array;
  start: Int32Array;
  ranges: Int32Array;
}

function previousByMember(previous: readonly (string | null)[], sorted: readonly Member[]): PreviousRanges {
  const indexOf = new Map<string, number>();
  sorted.forEach((m, i) => indexOf.set(m.id, i));
  const ownerOf = new Int32Array(previous.length).fill(-1);
  const count = new Int32Array(sorted.length);
  let kept = 0;
  for (let r = 0; r < previous.length; r++) {
    const owner = previous[r];
    const i = owner === null || owner === undefined ? undefined : indexOf.get(owner);
    if (i === undefined) continue;
    ownerOf[r] = i;
    count[i]! += 1;
    kept++;
  }
  const start = new Int32Array(sorted.length);
  for (let i = 1; i < sorted.length; i++) start[i] = start[i - 1]! + count[i - 1]!;
  const ranges = new Int32Array(kept);
  const fill = start.slice();
  for (let r = 0; r < previous.length; r++) {
    const i = ownerOf[r]!;
    if (i >= 0) ranges[fill[i]!++] = r;
  }
  return { count, start, ranges };
}

/**
 * Step 2: keep previous ranges of current members, at most quota each. A
 * member over quota keeps its highest-scoring ranges, i.e. gives up its
 * lowest-scoring ones, so what it sheds is what rendezvous would not give it.
 */
function keepPrevious(
  prior: PreviousRanges,
  sorted: readonly Member[],
  quota: readonly number[],
  keys: MemberKeys,
  owners: Owners,
  held: Int32Array,
): void {
  for (let i = 0; i < sorted.length; i++) {
    const mine = prior.ranges.subarray(prior.start[i]!, prior.start[i]! + prior.count[i]!);
    const kept = mine.length > quota[i]! ? highestScoring(mine, keys, i, quota[i]!) : mine;
    const id = sorted[i]!.id;
    for (let j = 0; j < kept.length; j++) owners[kept[j]!] = id;
    held[i] = kept.length;
  }
}

/**
 * The `keep` ranges of `mine` that score highest for member `member`, equal
 * scores keeping the lower range. Each range is sorted as
 * score * MAX_RANGES + (MAX_RANGES - 1 - range), exact in a double (below
 * 2^52), so one numeric typed-array sort orders by score, then range.
 */
function highestScoring(mine: Int32Array, keys: MemberKeys, member: number, keep: number): Float64Array {
  const order = new Float64Array(mine.length);
  for (let j = 0; j < mine.length; j++) {
    const r = mine[j]!;
    order[j] = score(keys[keyClassOf(r)]![member]!, rangeKey(r)) * MAX_RANGES + (MAX_RANGES - 1 - r);
  }
  order.sort();
  const kept = order.subarray(mine.length - keep);
  for (let j = 0; j < kept.length; j++) kept[j] = MAX_RANGES - 1 - (kept[j]! % MAX_RANGES);
  return kept;
}

/**
 * Step 3: each free range, in range order, to the highest-scoring member
 * still under quota. One trie per key class holds exactly the under-quota
 * members, so a member leaves all of them when it fills up; the quotas sum
 * to R, so a free range always finds one.
 */
function placeFree(
  sorted: readonly Member[],
  quota: readonly number[],
  keys: MemberKeys,
  owners: Owners,
  held: Int32Array,
): void {
  const open: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (held[i]! < quota[i]!) open.push(i);
  if (open.length === 0) return;
  const members = Int32Array.from(open);
  const tries = keys.map((classKeys) => new XorTrie(classKeys, members));
  for (let r = 0; r < owners.length; r++) {
    if (owners[r] !== null) continue;
    const best = tries[keyClassOf(r)]!.farthest(rangeKey(r));
    owners[r] = sorted[best]!.id;
    if (++held[best]! >= quota[best]!) for (const trie of tries) trie.close(best);
  }
}
