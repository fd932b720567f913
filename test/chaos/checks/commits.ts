// Commits are fenced (written under the committer's own lease) and never go
// back.
import type { CheckContext } from './context.js';

export interface CommitsResult {
  zombieCommits: number;
  offsetRegressions: number;
}

export function checkCommits(cx: CheckContext): CommitsResult {
  let zombieCommits = 0;
  let offsetRegressions = 0;
  for (const [range, list] of cx.commitsByRange) {
    let prev: bigint | undefined;
    for (const c of list) {
      const lease = cx.leaseBeforeZxid(range, c.mzxid);
      if (!lease || lease.poller !== c.poller) {
        zombieCommits++;
        cx.examples.add('zombieCommits', `range ${range}: offset ${c.offset} by ${c.poller} at ${c.mtime} (zxid ${c.mzxid}) while the lease was ${lease ? `${lease.poller}'s (zxid ${lease.czxid})` : 'never created'}`);
      }
      if (prev !== undefined && c.offset < prev) {
        offsetRegressions++;
        cx.examples.add('offsetRegressions', `range ${range}: ${prev} -> ${c.offset} by ${c.poller} at ${c.mtime}`);
      }
      prev = c.offset;
    }
  }
  return { zombieCommits, offsetRegressions };
}
