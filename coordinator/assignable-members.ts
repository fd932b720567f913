import type { Member } from '../ring/index.js';
import type { MemberInfo } from './znodes.js';

/**
 * The members the leader gives ranges to: the active ones (a draining member
 * gets none), and of those only the healthy ones, unless none is healthy.
 * A poller that cannot fetch or reach its handler then hands its ranges to
 * pollers that can; when every poller is unhealthy (a Kafka-wide outage, say)
 * moving ranges would only add handoffs, so they stay where they are.
 */
export function assignableMembers(members: readonly MemberInfo[]): Member[] {
  const active = members.filter((m) => m.state === 'active');
  const healthy = active.filter((m) => m.unhealthy === undefined);
  return (healthy.length > 0 ? healthy : active).map((m) => ({ id: m.id, weight: m.weight }));
}
