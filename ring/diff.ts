import { RingError } from './errors.js';
import type { Move, Owners } from './types.js';

/** The ranges whose owner differs between `a` and `b`, in range order. */
export function diff(a: Readonly<Owners>, b: Readonly<Owners>): Move[] {
  if (a.length !== b.length) {
    throw new RingError(`cannot diff assignments of ${a.length} and ${b.length} ranges`);
  }
  const moves: Move[] = [];
  for (let range = 0; range < a.length; range++) {
    const from = a[range] ?? null;
    const to = b[range] ?? null;
    if (from !== to) moves.push({ range, from, to });
  }
  return moves;
}
