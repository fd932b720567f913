import { RingError } from './errors.js';
import type { Member } from './types.js';

function byId(a: Member, b: Member): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Validates members and returns them sorted by id. Everything downstream
 * works on this canonical order (sums, tie-breaks), which is what makes the
 * results independent of the order the caller listed members in.
 */
export function canonicalMembers(members: readonly Member[]): Member[] {
  if (!Array.isArray(members)) throw new RingError('members must be an array of {id, weight}');
  const sorted: Member[] = [];
  for (const m of members) {
    if (m === null || typeof m !== 'object') {
      throw new RingError(`each member must be an object {id, weight}, got ${String(m)}`);
    }
    if (typeof m.id !== 'string' || m.id.length === 0) {
      throw new RingError(`member id must be a non-empty string, got ${JSON.stringify(m.id)}`);
    }
    if (typeof m.weight !== 'number' || !Number.isFinite(m.weight) || m.weight <= 0) {
      throw new RingError(
        `member ${JSON.stringify(m.id)} has weight ${String(m.weight)}; weight must be a finite number > 0`,
      );
    }
    sorted.push({ id: m.id, weight: m.weight });
  }
  sorted.sort(byId);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) {
      throw new RingError(`duplicate member id ${JSON.stringify(sorted[i]!.id)}`);
    }
  }
  return sorted;
}
