import type { SideResult } from './scale-side.js';

/** What the design must reach at 1,000 members and R = 16,384 (issue "Scale"). */
export const TARGETS = {
  joinConvergeMsP99: 2_000,
  leaveConvergeMsP99: 2_000,
  bytesReadPerRebalanceUnaffected: 1_024,
  writesPerMemberPerInterval: 1,
  maxZnodeBytes: 65_536,
  startConvergeMs: 30_000,
} as const;

type TargetName = keyof typeof TARGETS;

/** Each target met (true), missed (false) or not measured (null). */
export function targetsMet(r: SideResult): Record<TargetName, boolean | null> {
  const atMost = (value: number | null | undefined, limit: number) => (value === null || value === undefined ? null : value <= limit);
  return {
    joinConvergeMsP99: atMost(r.joinConvergeMs?.p99, TARGETS.joinConvergeMsP99),
    leaveConvergeMsP99: atMost(r.leaveConvergeMs?.p99, TARGETS.leaveConvergeMsP99),
    bytesReadPerRebalanceUnaffected: atMost(r.bytesReadPerRebalance.unaffected, TARGETS.bytesReadPerRebalanceUnaffected),
    writesPerMemberPerInterval: atMost(r.writesPerMemberPerInterval, TARGETS.writesPerMemberPerInterval),
    maxZnodeBytes: atMost(r.maxZnodeBytes, TARGETS.maxZnodeBytes),
    startConvergeMs: r.startStuck ? false : atMost(r.startConvergeMs, TARGETS.startConvergeMs),
  };
}
