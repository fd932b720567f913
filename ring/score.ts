import { fmix32, murmur3 } from './murmur3.js';

/**
 * Rendezvous (highest-random-weight) scores. A member's score for a range is
 * the XOR of two pseudo-random 32-bit keys, read unsigned:
 *
 *   score(m, r) = (memberKey(m.id, keyClassOf(r)) ^ rangeKey(r)) >>> 0
 *
 * XOR rather than a further mix of it is what makes placement fast: the
 * highest score for a range is the member key farthest from the range key in
 * XOR distance (the Kademlia metric), which a binary trie over member keys
 * finds in one walk from its root (ring/xor-trie.ts) instead of scoring
 * every member.
 *
 * XOR alone is not a fair lottery, though: the range keys a member wins in a
 * trie form a block of 2^-d of the key space, d being how deep its key parts
 * from every other, so one member wins two or four times as often as another
 * and fills its quota early in range order (its ranges bunch up instead of
 * spreading over the ring). Each member therefore has KEY_CLASSES
 * independent keys (murmur3 of its id under a seed per class), and range r
 * uses the class r mod KEY_CLASSES: luck in one trie is evened out by the
 * other, and neighbouring ranges are drawn from different tries. Two classes
 * take most of the bunching away (at 100 members x 16,384 ranges,
 * neighbouring ranges share an owner 1.9 times as often as chance, against
 * 3.5 times with one class) for about a quarter more time; four classes
 * gained little more for twice the time.
 *
 * Two members tie on a range only when their keys of its class are equal (a
 * murmur3 collision); assign() then prefers the smaller id.
 */
export const KEY_CLASSES = 2;

const MEMBER_SEED = 0x5bd1e995;

/** Member key of class `keyClass` (0 .. KEY_CLASSES - 1): murmur3 of the id, seeded per class. */
export function memberKey(id: string, keyClass: number): number {
  return murmur3(id, (MEMBER_SEED + keyClass) | 0);
}

/** Which of a member's keys scores range `range`. */
export function keyClassOf(range: number): number {
  return range % KEY_CLASSES;
}

/**
 * Distinct for every range below 2^32 (an odd multiply and fmix32 are both
 * bijections on 32 bits), so one member key never scores two ranges equally.
 */
export function rangeKey(range: number): number {
  return fmix32(Math.imul(range + 1, 0x9e3779b1));
}

/** Unsigned 32-bit score; higher wins. */
export function score(memberKeyValue: number, rangeKeyValue: number): number {
  return (memberKeyValue ^ rangeKeyValue) >>> 0;
}
