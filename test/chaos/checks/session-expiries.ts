// The pollers' session expiries, by cause.
import { incKey } from '../records.js';
import type { CheckContext } from './context.js';

/**
 * Sessions of pollers that ZooKeeper expired, by cause: a poller frozen past
 * its session timeout (a zombie), a ZooKeeper leader frozen past it (on
 * SIGCONT it expires every session it could not track meanwhile), a poller
 * cut off from ZooKeeper past it (zk-partition: it learns on restore), or
 * anything else (a client that failed to move off a frozen server...).
 */
export interface SessionExpiryCounts {
  n: number;
  zombie: number;
  zkLeaderFrozen: number;
  cutOff: number;
  other: number;
}

export function countSessionExpiries(cx: CheckContext): SessionExpiryCounts {
  const { faults, sessionTimeoutMs } = cx.input;
  const zkLeaderFreezes = faults.filter((f) => f.kind === 'zk-pause' && f.detail === 'leader');
  const cuts = faults.filter((f) => f.kind === 'zk-partition');
  const out = { n: 0, zombie: 0, zkLeaderFrozen: 0, cutOff: 0, other: 0 };
  for (const e of cx.input.sessionExpiries ?? []) {
    out.n++;
    const inc = cx.incarnations.get(incKey(e.poller, e.inc));
    // A zombie learns of its expiry when it resumes; a frozen ZooKeeper
    // leader expires sessions the moment it resumes.
    if (inc?.pauses.some((p) => p.from <= e.at && e.at <= p.to + sessionTimeoutMs)) out.zombie++;
    else if (zkLeaderFreezes.some((z) => z.until !== undefined && z.until - 1_000 <= e.at && e.at <= z.until + sessionTimeoutMs)) out.zkLeaderFrozen++;
    else if (cuts.some((c) => c.target === incKey(e.poller, e.inc) && c.at <= e.at && e.at <= (c.until ?? c.at) + sessionTimeoutMs)) out.cutOff++;
    else out.other++;
  }
  return out;
}
