/**
 * The systems bench:rebalance compares. Each one is a kind of consumer
 * process (bench/rebalance-worker.ts, a member module per kind) and its
 * settings. The KIP-848 group runs on a Node >= 22.22 given by --node22 and
 * on a broker of its own whose group.consumer.(min.)session.timeout.ms is the
 * session timeout used here (Kafka's floor is 45 s by default).
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
  /** The Node binary its consumer processes run on (default: this one). */
  node?: string;
  /** Broker properties it needs: the run gives it a broker of its own. */
  brokerProperties?: Record<string, string>;
}

/** kafkajs's own default session timeout. */
export const KAFKAJS_DEFAULT_SESSION_TIMEOUT_MS = 30_000;

export function systemsOf(args: RebalanceArgs): System[] {
  const t = args.sessionTimeoutMs;
  const all: Record<string, System> = {
    'kafkajs-default': { name: 'kafkajs-group-defaults', kind: 'kafkajs', sessionTimeoutMs: undefined, effectiveSessionTimeoutMs: KAFKAJS_DEFAULT_SESSION_TIMEOUT_MS },
    'kafkajs-same-timeout': { name: `kafkajs-group-session-${t}ms`, kind: 'kafkajs', sessionTimeoutMs: t, effectiveSessionTimeoutMs: t },
    ringleader: { name: 'ringleader', kind: 'ringleader', sessionTimeoutMs: t, effectiveSessionTimeoutMs: t },
    kip848: {
      name: `kip848-group-session-${t}ms`, kind: 'kip848', sessionTimeoutMs: undefined, effectiveSessionTimeoutMs: t,
      ...(args.node22 ? { node: args.node22 } : {}),
      brokerProperties: {
        'group.consumer.min.session.timeout.ms': String(t),
        'group.consumer.session.timeout.ms': String(t),
        // kafkajs's heartbeat (3 s) rather than the protocol's 5 s default.
        'group.consumer.min.heartbeat.interval.ms': '3000',
        'group.consumer.heartbeat.interval.ms': '3000',
      },
    },
  };
  const out = args.systems.map((k) => all[k]!);
  if (args.ringleaderLib) out.push({ name: args.ringleaderLibLabel, kind: 'ringleader', sessionTimeoutMs: t, effectiveSessionTimeoutMs: t, lib: args.ringleaderLib });
  return out;
}
