// Messages handled more than once, and whether a crash explains each
// redelivery (at-least-once allows a redelivery only of what was handled and
// not yet committed when its handler's poller crashed).
import type { HandledRecord } from '../../../poller/handlers/handled-record.js';
import { incKey, type Incarnation } from '../records.js';
import type { CheckContext } from './context.js';

export interface DuplicatesResult {
  /** Messages the producer wrote to the topic more than once (one id at several offsets): each copy is a record of its own. */
  writtenTwice: number;
  /** Messages handled more than once. */
  duplicates: number;
  /** Of those, the messages whose every redelivery follows a crash point of an earlier handler, and the others. */
  explained: number;
  unexplained: number;
}

/**
 * Crash points of an incarnation: its SIGKILL, the start of each SIGSTOP, and
 * each session expiry it logged (its leases went with the session, whatever
 * it had handled but not committed is delivered again).
 */
function crashPoints(cx: CheckContext, i: Incarnation | undefined): number[] {
  if (!i) return [];
  const pts = i.pauses.map((p) => p.from);
  if (i.endedBy === 'kill' && i.endedAt !== undefined) pts.push(i.endedAt);
  for (const e of cx.input.sessionExpiries ?? []) if (incKey(e.poller, e.inc) === incKey(i.poller, i.inc)) pts.push(e.at);
  return pts;
}

/**
 * A poller hears of its session expiry only when it reaches a server again;
 * the server expired the session earlier, when its leases vanished, and
 * another poller may take a range in between. So for a range the poller
 * logged lost to an expiry, the crash point is when its lease vanished: when
 * the observer saw it gone, or, when the next lease of the range was
 * created before that (the observer hears of a deletion a little late),
 * that creation's time.
 */
function expiredLeaseGone(cx: CheckContext, h: HandledRecord): number[] {
  const lease = cx.leaseAt(h.range, h.start);
  if (!lease || lease.poller !== h.poller || lease.goneAt === undefined) return [];
  const next = (cx.leasesByRange.get(h.range) ?? []).find((l) => l.czxid > lease.czxid);
  const gone = Math.min(lease.goneAt, next?.ctime ?? Infinity);
  const heard = (cx.input.sessionExpiries ?? []).some(
    (e) => e.poller === h.poller && e.inc === h.inc && e.ranges?.includes(h.range) && gone <= e.at && e.at - gone <= 2 * cx.input.sessionTimeoutMs,
  );
  return heard ? [gone] : [];
}

/** `poller` committed past `offset` of `range` within [from, to]: the handling was safe by then. */
function committedPast(cx: CheckContext, poller: string, range: number, offset: number, from: number, to: number): boolean {
  return (cx.commitsByRange.get(range) ?? []).some((c) => c.poller === poller && c.offset > BigInt(offset) && c.mtime >= from && c.mtime <= to);
}

/** A redelivery `later` is explained by an earlier handling that crashed in between, before committing it. */
export function explainedBy(cx: CheckContext, earlier: HandledRecord, later: HandledRecord): boolean {
  return [...crashPoints(cx, cx.incarnationOf(earlier)), ...expiredLeaseGone(cx, earlier)].some(
    (c) => c >= earlier.start && c <= later.start && !committedPast(cx, earlier.poller, earlier.range, earlier.offset, earlier.end, c),
  );
}

/**
 * The handlings of one message id per offset. A redelivery is a second
 * handling of one record (the same id at the same offset): a message the
 * producer wrote twice is two records, each of which may be handled once.
 */
export function handlingsByOffset(handlings: HandledRecord[]): Map<number, HandledRecord[]> {
  const byOffset = new Map<number, HandledRecord[]>();
  for (const h of handlings) byOffset.set(h.offset, [...(byOffset.get(h.offset) ?? []), h]);
  return byOffset;
}

export function checkDuplicates(cx: CheckContext): DuplicatesResult {
  let duplicates = 0;
  let explained = 0;
  let unexplained = 0;
  let writtenTwice = 0;
  for (const [id, all] of cx.byId) {
    if (all.length < 2) continue;
    const byOffset = handlingsByOffset(all);
    if (byOffset.size > 1) writtenTwice++;
    const again = [...byOffset.values()].filter((l) => l.length > 1);
    if (again.length === 0) continue;
    duplicates++;
    // A message is explained when each of its redeliveries is.
    let allExplained = true;
    for (const handlings of again) {
    const list = [...handlings].sort((a, b) => a.start - b.start);
    for (let j = 1; j < list.length; j++) {
      const hj = list[j] as HandledRecord;
      if (list.slice(0, j).some((hi) => explainedBy(cx, hi, hj))) continue;
      allExplained = false;
      cx.examples.add('duplicatesUnexplained', `id ${id} range ${hj.range} offset ${hj.offset}: ${list.map((h) => `${incKey(h.poller, h.inc)}@${h.start}-${h.end}`).join(', ')}`);
    }
    }
    if (allExplained) explained++;
    else unexplained++;
  }
  return { duplicates, explained, unexplained, writtenTwice };
}
