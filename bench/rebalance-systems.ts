/**
 * The systems bench:rebalance compares. Each one is a kind of consumer
 * process (bench/rebalance-worker.ts) and its settings. A KIP-848 consumer
 * group (group.protocol=consumer) would be one more kind: a member module
 * beside rebalance-kafkajs-member.ts on a client that speaks that protocol,
 * and a broker started with group.consumer.min.session.timeout.ms lowered to
 * the session timeout used here (Kafka's floor is 45 s by default).
 */
import type { RebalanceArgs } from './rebalance-args.js';
import type { MemberKind } from './rebalance-worker.js';

export interface System {
  /** Name in the output. */
  name: string;
  kind: MemberKind;
  /** Unset: the client's default (kafkajs: 30 s). */
  sessionTimeoutMs: number | undefined;
  /** The session timeout in force, for the length of the kill window. */
  effectiveSessionTimeoutMs: number;
  lib?: string;
}

/** kafkajs's own default session timeout. */
export const KAFKAJS_DEFAULT_SESSION_TIMEOUT_MS = 30_000;

export function systemsOf(args: RebalanceArgs): System[] {
  const t = args.sessionTimeoutMs;
  const all: Record<string, System> = {
    'kafkajs-default': { name: 'kafkajs-group-defaults', kind: 'kafkajs', sessionTimeoutMs: undefined, effectiveSessionTimeoutMs: KAFKAJS_DEFAULT_SESSION_TIMEOUT_MS },
    'kafkajs-same-timeout': { name: `kafkajs-group-session-${t}ms`, kind: 'kafkajs', sessionTimeoutMs: t, effectiveSessionTimeoutMs: t },
    ringleader: { name: 'ringleader', kind: 'ringleader', sessionTimeoutMs: t, effectiveSessionTimeoutMs: t },
  };
  const out = args.systems.map((k) => all[k]!);
  if (args.ringleaderLib) out.push({ name: args.ringleaderLibLabel, kind: 'ringleader', sessionTimeoutMs: t, effectiveSessionTimeoutMs: t, lib: args.ringleaderLib });
  return out;
}
