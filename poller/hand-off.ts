import type { Logger } from 'pino';
import { readMembers, sleep, type GroupPaths } from '../coordinator/index.js';
import type { PollerResources } from './poller-resources.js';
import type { StopBudget } from './stop-budget.js';

/** While draining and ZooKeeper cannot say who else is active, look again after this long. */
const MEMBERS_REREAD_MS = 100;

/** Sets our member node to `draining` so the leader moves our ranges away; gives up at the drain deadline. */
export async function markDraining(r: PollerResources, budget: StopBudget, log: Logger): Promise<void> {
  const marking = r.membership.setState('draining');
  try {
    if (await budget.settleWithin(marking)) await marking;
    else log.warn({}, 'cannot mark ourselves draining before the drain deadline; releasing directly');
  } catch (err) {
    log.warn({ err }, 'cannot mark ourselves draining; releasing directly');
  }
}

/**
 * Waits until the leader has moved every range away (each released with a
 * final commit), no other poller is active to take them, or the deadline
 * passes. Wakes on each release or loss and on each change of the members.
 */
export async function waitForHandOff(r: PollerResources, paths: GroupPaths, id: string, budget: StopBudget): Promise<void> {
  const ownership = r.assigned.ownership;
  const owned = () => r.assigned.ownedRanges().length;
  while (!budget.spent() && owned() > 0) {
    const changed = new AbortController();
    const wake = () => changed.abort();
    ownership.on('released', wake).on('lost', wake);
    try {
      const others = await othersActive(r, paths, id, budget, wake);
      if (others === 'none') return;
      // Can't tell (ZooKeeper unreachable): look again shortly, until the deadline.
      const waitMs = others === 'unknown' ? MEMBERS_REREAD_MS : budget.left();
      if (owned() > 0) await sleep(Math.max(0, waitMs), changed.signal);
    } finally {
      ownership.off('released', wake).off('lost', wake);
    }
  }
}

async function othersActive(r: PollerResources, paths: GroupPaths, id: string, budget: StopBudget, onChange: () => void): Promise<'some' | 'none' | 'unknown'> {
  try {
    const reading = readMembers(r.zk, paths, onChange);
    if (!(await budget.settleWithin(reading))) return 'unknown';
    const { members } = await reading;
    return members.some((m) => m.id !== id && m.state === 'active') ? 'some' : 'none';
  } catch {
    return 'unknown';
  }
}
