import { fmix32, murmur3 } from './murmur3.js';

/**
 * Rendezvous (highest-random-weight) scores. A member's score for a range is
 * fmix32(memberKey ^ rangeKey): the member key is murmur3 of its id (computed
 * once per assign), the range key is the range number pushed through the
 * same finaliser, so neighbouring ranges and similar ids still give
 * unrelated rankings. Only these two imul-and-shift mixes run per pair,
 * which is what lets assign() scan all members per range.
 */
export function memberKey(id: string): number {
  return murmur3(id, 0x5bd1e995);
}

export function rangeKey(range: number): number {
  return fmix32(Math.imul(range + 1, 0x9e3779b1));
}

export function score(memberKeyValue: number, rangeKeyValue: number): number {
  return fmix32(memberKeyValue ^ rangeKeyValue);
}
