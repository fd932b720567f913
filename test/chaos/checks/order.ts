// Per-key order within a tenure: one incarnation's handlings of a key under
// one lease go up in seq and offset. A message the producer wrote twice
// (the same id at a later offset) may come again with the same seq: that is
// the topic's order, kept.
import { incKey } from '../records.js';
import type { CheckContext } from './context.js';

export function checkOrder(cx: CheckContext): number {
  let violations = 0;
  const last = new Map<string, { seq: number; offset: number; id: number }>();
  for (const h of cx.input.handled) {
    if (h.key === null) continue;
    const lease = cx.tenureOf(h);
    const k = `${incKey(h.poller, h.inc)}|${h.range}|${lease ? lease.czxid : 'none'}|${h.key}`;
    const prev = last.get(k);
    const writtenAgain = prev !== undefined && h.id >= 0 && h.id === prev.id && h.offset > prev.offset;
    if (prev && !writtenAgain && (h.seq <= prev.seq || h.offset <= prev.offset)) {
      violations++;
      cx.examples.add('orderViolations', `${incKey(h.poller, h.inc)} range ${h.range} key ${h.key}: seq ${h.seq} (offset ${h.offset}) after seq ${prev.seq} (offset ${prev.offset})`);
    }
    last.set(k, { seq: h.seq, offset: h.offset, id: h.id });
  }
  return violations;
}
