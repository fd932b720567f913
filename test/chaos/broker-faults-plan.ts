// The Kafka broker faults of a chaos run, as the schedule plans them: their
// kinds, how long each lasts and how long its effects last. Pure.
import { between, type Rng } from './prng.js';

export const BROKER_FAULT_KINDS = ['broker-kill', 'broker-pause'] as const;
export type BrokerFaultKind = (typeof BROKER_FAULT_KINDS)[number];

export function isBrokerFault(kind: string): kind is BrokerFaultKind {
  return (BROKER_FAULT_KINDS as readonly string[]).includes(kind);
}

/**
 * The Kafka request timeout of every client in the run (pollers, the load
 * producer, the plain consumer): a broker frozen for longer is given up on,
 * and its partitions are read from their new leaders. kafkajs's default of
 * 30 s would make each freeze last half a minute.
 */
export const KAFKA_REQUEST_TIMEOUT_MS = 5_000;

/** The cluster fences a node that stopped heartbeating after this long (infra/kafka-config.ts). */
const BROKER_SESSION_TIMEOUT_MS = 6_000;

/**
 * broker-kill: down this long before it is restarted (the restart itself
 * takes seconds more). broker-pause: frozen past the clients' request
 * timeout, so that requests in flight to it time out and are sent again to
 * the partitions' new leaders.
 */
export function brokerFaultHoldMs(rng: Rng, kind: BrokerFaultKind): number {
  return kind === 'broker-kill' ? between(rng, 1_000, 4_000) : KAFKA_REQUEST_TIMEOUT_MS + between(rng, 1_000, 3_000);
}

/**
 * How long after it starts a broker fault can still stall ranges: its hold,
 * the fencing of the node, and the clients' next metadata refresh (a
 * request timeout at worst). The restart of a killed node moves leaders back
 * (preferred leaders), a shorter stall of its own: its event's end
 * (`until`, set once the node is back in sync) covers that.
 */
export function brokerFaultInfluenceMs(kind: BrokerFaultKind, holdMs: number): number {
  return kind === 'broker-kill' ? BROKER_SESSION_TIMEOUT_MS + KAFKA_REQUEST_TIMEOUT_MS + 1_000 : holdMs + BROKER_SESSION_TIMEOUT_MS + 1_000;
}
