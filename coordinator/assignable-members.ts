import type { Member } from '../ring/index.js';
import type { MemberInfo } from './znodes.js';

type Candidate = Pick<MemberInfo, 'id' | 'weight' | 'state' | 'unhealthy'>;

/**
 * The members the leader gives ranges to: the active ones (a draining member
 * gets none), and of those only the healthy ones, unless none is healthy.
 * A poller that cannot fetch or reach its handler then hands its ranges to
 * pollers that can; when every poller is unhealthy (a Kafka-wide outage, say)
 * moving ranges would only add handoffs, so they stay where they are.
 */
export function assignableMembers(members: readonly Candidate[]): Member[] {
  return assignable(members).map((m) => ({ id: m.id, weight: m.weight }));
}

/** The members (or poller views) `assignableMembers` picks, as they are: status measures fair shares over them. */
export function assignable<T extends Candidate>(members: readonly T[]): T[] {
  const active = members.filter((m) => m.state === 'active');
  const healthy = active.filter((m) => m.unhealthy === undefined);
  return healthy.length > 0 ? healthy : active;
}
