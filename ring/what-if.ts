import { assign } from './assign.js';
import { diff } from './diff.js';
import { RingError } from './errors.js';
import { quotas } from './quotas.js';
import type { Member, Move, Owners } from './types.js';

/** A membership change to try out. */
export type Change =
  | { kind: 'join'; id: string; weight?: number }
  | { kind: 'leave'; id: string }
  | { kind: 'weight'; id: string; weight: number };

export interface WhatIfInput {
  /** The current assignment (its length is R). */
  owners: Readonly<Owners>;
  /** The current members. */
  members: readonly Member[];
  change: Change;
}

export interface WhatIfResult {
  /** Members after the change. */
  members: Member[];
  /** The assignment assign() would publish after the change. */
  owners: Owners;
  /** What would move, in range order. */
  moves: Move[];
  /** Quotas after the change, by member id. */
  quotas: Map<string, number>;
}

/**
 * Dry run for `status`/`watch` and operators: what would move if poller X
 * joined, left or changed weight, without touching anything.
 */
export function whatIf({ owners, members, change }: WhatIfInput): WhatIfResult {
  const next = applyChange(members, change);
  const ranges = owners.length;
  const after = assign({ ranges, members: next, previous: owners });
  return { members: next, owners: after, moves: diff(owners, after), quotas: quotas(ranges, next, owners) };
}

function applyChange(members: readonly Member[], change: Change): Member[] {
  const exists = members.some((m) => m.id === change.id);
  switch (change.kind) {
    case 'join':
      if (exists) throw new RingError(`cannot join ${JSON.stringify(change.id)}: already a member`);
      return [...members, { id: change.id, weight: change.weight ?? 1 }];
    case 'leave':
      if (!exists) throw new RingError(`cannot remove ${JSON.stringify(change.id)}: not a member`);
      return members.filter((m) => m.id !== change.id);
    case 'weight':
      if (!exists) throw new RingError(`cannot reweight ${JSON.stringify(change.id)}: not a member`);
      return members.map((m) => (m.id === change.id ? { id: m.id, weight: change.weight } : m));
    default:
      throw new RingError(`unknown change ${JSON.stringify(change)}`);
  }
}
