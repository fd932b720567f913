/**
 * A binary trie over the 32-bit keys of a set of members that answers "which
 * open member has the highest score (key XOR k, unsigned) for k" and closes
 * a member (a full one, in assign()), each in one walk from the root.
 *
 * At a node whose keys differ first at bit b, the walk takes the side whose
 * bit b differs from k's whenever that side still has an open member: the
 * highest differing bit outweighs all lower ones together, and the bits
 * above b are the same for every key below the node, so they cannot change
 * the answer. Only such branching bits get a node (a crit-bit trie), so a
 * trie of n distinct keys has n - 1 nodes and n leaves and is about
 * log2(n) + 2 deep for random keys: small enough to stay in cache, where a
 * node per bit would be 32 deep with a cache miss at most levels.
 *
 * Members with equal keys share a leaf, in ascending member order, and the
 * first open one wins there, so ties go to the smaller member index as the
 * assignment contract asks. Nothing is kept per member and range pair.
 */
export class XorTrie {
  /**
   * One record of four int32 (16 bytes) per node, so a step of the walk
   * reads one cache line. An internal node is [child 0, child 1, branching bit, open
   * members below]; a leaf is [first maybe-open index into byKey (closed
   * members are skipped lazily), unused, -1, open members at it]. Records
   * are laid out depth first.
   */
  private readonly node: Int32Array;
  /** Open members ordered by key, then index: a leaf's run holds one key. */
  private readonly byKey: Int32Array;
  private readonly closed: Uint8Array;
  private readonly keys: Int32Array;
  private remaining: number;
  private nodes = 0;

  /**
   * `keys[i]` is member i's key; `members` lists the members that start open,
   * in ascending order. Members not listed count as closed.
   */
  constructor(keys: Int32Array, members: Int32Array) {
    this.keys = keys;
    this.remaining = members.length;
    this.byKey = sortByKey(keys, members);
    this.closed = new Uint8Array(keys.length).fill(1);
    for (const member of members) this.closed[member] = 0;
    const starts = runStarts(keys, this.byKey);
    const leaves = starts.length - 1;
    this.node = new Int32Array(NODE * Math.max(1, 2 * leaves - 1));
    if (leaves > 0) this.build(starts, 0, leaves);
  }

  /** Open members left. */
  get size(): number {
    return this.remaining;
  }

  /** The open member with the highest (key XOR k) >>> 0, ties to the smaller index; -1 if none is open. */
  farthest(k: number): number {
    if (this.remaining === 0) return -1;
    const t = this.node;
    let at = 0;
    let bit: number;
    while ((bit = t[at + BIT]!) >= 0) {
      const away = at + (((k >>> bit) & 1) ^ 1);
      const c = t[away]!;
      at = t[c + OPEN]! > 0 ? c : t[away ^ 1]!;
    }
    let first = t[at + FIRST]!;
    while (this.closed[this.byKey[first]!] === 1) first++;
    t[at + FIRST] = first;
    return this.byKey[first]!;
  }

  /** Takes a member out of every later answer; closing it twice, or one never open, does nothing. */
  close(member: number): void {
    if (this.closed[member] !== 0) return;
    this.closed[member] = 1;
    this.remaining -= 1;
    const t = this.node;
    const key = this.keys[member]!;
    let at = 0;
    let bit: number;
    while ((bit = t[at + BIT]!) >= 0) {
      t[at + OPEN]! -= 1;
      at = t[at + ((key >>> bit) & 1)]!;
    }
    t[at + OPEN]! -= 1;
  }

  /**
   * Lays out the subtree of runs [lo, hi) (runs of equal keys, sorted) and
   * returns the offset of its record: a leaf for one run, else a node
   * branching on the highest bit where the runs' keys differ.
   */
  private build(starts: Int32Array, lo: number, hi: number): number {
    const at = NODE * this.nodes++;
    const t = this.node;
    t[at + OPEN] = starts[hi]! - starts[lo]!;
    if (hi - lo === 1) {
      t[at + FIRST] = starts[lo]!;
      t[at + BIT] = -1;
      return at;
    }
    const bit = 31 - Math.clz32(this.keyOfRun(starts, lo) ^ this.keyOfRun(starts, hi - 1));
    const split = this.firstRunWithBit(starts, lo, hi, bit);
    t[at + BIT] = bit;
    t[at] = this.build(starts, lo, split);
    t[at + 1] = this.build(starts, split, hi);
    return at;
  }

  private keyOfRun(starts: Int32Array, run: number): number {
    return this.keys[this.byKey[starts[run]!]!]!;
  }

  /** Runs [lo, hi) share the bits above `bit` and are sorted, so those with `bit` set come last. */
  private firstRunWithBit(starts: Int32Array, lo: number, hi: number, bit: number): number {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (((this.keyOfRun(starts, mid) >>> bit) & 1) === 1) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Fields of a node record (see XorTrie.node). */
const NODE = 4;
const FIRST = 0;
const BIT = 2;
const OPEN = 3;

/**
 * `members` ordered by unsigned key, then by member index: an LSD radix sort
 * on the key a byte at a time, which is stable, so members that start in
 * ascending order stay so among equal keys. Four linear passes: cheaper
 * than a comparison sort, which would be most of the cost of a trie.
 */
function sortByKey(keys: Int32Array, members: Int32Array): Int32Array {
  let from = members.slice();
  let to = new Int32Array(members.length);
  const count = new Int32Array(257);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let j = 0; j < from.length; j++) count[((keys[from[j]!]! >>> shift) & 0xff) + 1]! += 1;
    for (let b = 0; b < 256; b++) count[b + 1]! += count[b]!;
    for (let j = 0; j < from.length; j++) to[count[(keys[from[j]!]! >>> shift) & 0xff]!++] = from[j]!;
    [from, to] = [to, from];
  }
  return from;
}

/** Where each run of equal keys starts in `byKey`, plus byKey.length at the end. */
function runStarts(keys: Int32Array, byKey: Int32Array): Int32Array {
  const starts: number[] = [];
  for (let j = 0; j < byKey.length; j++) {
    if (j === 0 || keys[byKey[j]!] !== keys[byKey[j - 1]!]) starts.push(j);
  }
  starts.push(byKey.length);
  return Int32Array.from(starts);
}
