// Messages handled twice after a graceful stop (a drain, or SIGTERM at the
// end of the run) of a poller whose ZooKeeper session lived: such a poller
// commits what it handled before it releases a range, so the next owner
// starts after it and nothing may come twice. Must be 0.
import type { HandledRecord } from '../../../poller/handlers/handled-record.js';
import { incKey } from '../records.js';
import type { CheckContext } from './context.js';
import { explainedBy, handlingsByOffset } from './duplicates.js';

export function countGracefulDuplicates(cx: CheckContext): number {
  let n = 0;
  for (const [id, all] of cx.byId) {
    if (all.length < 2) continue;
    const twice = [...handlingsByOffset(all).values()].find((l) => l.length > 1 && hasGracefulRedelivery(cx, l));
    if (!twice) continue;
    n++;
    const list = [...twice].sort((a, b) => a.start - b.start);
    cx.examples.add('gracefulDuplicates', `id ${id} range ${list[0]!.range} offset ${list[0]!.offset}: ${list.map((h) => `${incKey(h.poller, h.inc)}@${h.start}-${h.end}`).join(', ')}`);
  }
  return n;
}

/** A later handling of the record follows a graceful stop of an earlier handler's incarnation, and no crash explains it. */
function hasGracefulRedelivery(cx: CheckContext, handlings: HandledRecord[]): boolean {
  const list = [...handlings].sort((a, b) => a.start - b.start);
  const graceful = (earlier: HandledRecord, later: HandledRecord): boolean => {
    const inc = cx.incarnationOf(earlier);
    const stopAt = inc?.stopAt;
    // A crash of the earlier handler (SIGKILL, SIGSTOP, an expired session) in between explains it instead.
    return (inc?.endedBy === 'drain' || inc?.endedBy === 'stop') && stopAt !== undefined && stopAt <= later.start && !explainedBy(cx, earlier, later);
  };
  return list.some((later, j) => list.slice(0, j).some((earlier) => graceful(earlier, later)));
}
