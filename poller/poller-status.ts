import type { Unhealthy } from '../coordinator/index.js';
import type { PollerResources } from './poller-resources.js';

/** A poller's life: starting -> running -> draining -> stopped (or starting -> stopped when the start fails). */
export type PollerLifecycle = 'starting' | 'running' | 'draining' | 'stopped';

export interface PollerStatus {
  id: string;
  group: string;
  state: PollerLifecycle;
  ranges: number[];
  zkConnected: boolean;
  withinDeadline: boolean;
  /** `lastReplyAt`: when a Kafka broker last answered (ISO), once one has. */
  kafka: { connected: boolean; lastError?: string; lastReplyAt?: string };
  /** Set while the poller cannot work and has asked for its ranges to move (docs/design.md "Unhealthy pollers"). */
  unhealthy: Unhealthy | null;
  handled: number;
  /** Messages past a split point with another range's key (a producer that does not follow the group). */
  misplaced: number;
}

/** The source's health as status and /healthz show it (its reply time as a timestamp people read). */
export function kafkaStatus(r: PollerResources | null): PollerStatus['kafka'] {
  if (!r) return { connected: false };
  const { connected, lastError, lastReplyAt } = r.source.health();
  const status: PollerStatus['kafka'] = { connected };
  if (lastError !== undefined) status.lastError = lastError;
  if (lastReplyAt !== undefined) status.lastReplyAt = new Date(lastReplyAt).toISOString();
  return status;
}
