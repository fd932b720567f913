// Per-key order across partitions and pollers: a key's acknowledged messages
// are first handled in the producer's order, each one starting only after the
// one before it had been handled. This is what a resize's order barrier keeps
// when a key moves to another partition; without a resize it follows from
// per-partition order and recovery from the committed offset. Only the
// first handling of each message counts (a redelivery after a crash goes
// back in seq by design), and a message never handled is counted as lost.
// A handling frozen by a SIGSTOP of its poller ends only when the poller
// resumes, whatever the new owner did meanwhile (the exclusivity check lets
// such an in-flight message overlap too): the message counts as handled once
// the new owner handled it again.
import type { HandledRecord } from '../../../poller/handlers/handled-record.js';
import type { CheckContext } from './context.js';
import { zombiePause } from './exclusivity.js';

export function checkKeyOrder(cx: CheckContext): number {
  const producedSeqs = new Map<string, number[]>();
  for (const p of cx.input.produced) {
    const list = producedSeqs.get(p.key);
    if (list) list.push(p.seq);
    else producedSeqs.set(p.key, [p.seq]);
  }
  const all = new Map<string, HandledRecord[]>();
  for (const h of cx.input.handled) {
    if (h.key === null || h.id < 0 || h.failed) continue;
    const k = `${h.key}|${h.seq}`;
    const list = all.get(k);
    if (list) list.push(h);
    else all.set(k, [h]);
  }
  const first = new Map([...all].map(([k, list]) => [k, list.reduce((a, b) => (b.start < a.start ? b : a))] as const));
  /** `before` was frozen in flight, and handled again by someone by `at`. */
  const handledAgainBy = (k: string, before: HandledRecord, at: number): boolean =>
    zombiePause(cx, before, cx.tenureOf(before)) !== undefined && (all.get(k) ?? []).some((h) => h !== before && h.end <= at);
  let violations = 0;
  for (const [key, seqs] of producedSeqs) {
    const ordered = [...new Set(seqs)].sort((a, b) => a - b);
    for (let i = 1; i < ordered.length; i++) {
      const before = first.get(`${key}|${ordered[i - 1]}`);
      const after = first.get(`${key}|${ordered[i]}`);
      if (!before || !after) continue; // lost: counted by the loss check
      if (after.start < before.end && !handledAgainBy(`${key}|${ordered[i - 1]}`, before, after.start)) {
        violations++;
        cx.examples.add(
          'keyOrderViolations',
          `key ${key}: seq ${ordered[i]} started at ${after.start} (partition ${after.range}/${after.offset}, ${after.poller}#${after.inc}) before seq ${ordered[i - 1]} ended at ${before.end} (partition ${before.range}/${before.offset}, ${before.poller}#${before.inc})`,
        );
      }
    }
  }
  return violations;
}
