// How long a poller's ranges took to be handled elsewhere after a network
// partition cut it off: from ZooKeeper (zk-partition: its session expires,
// the leader moves its ranges) or from Kafka (kafka-partition: it marks
// itself unhealthy after the fetch-stall timeout, the leader moves them).
import type { FaultEvent } from '../records.js';
import { chaosFetchStallMs } from '../schedule.js';
import type { CheckContext } from './context.js';
import { describeFault, overlapping } from './fault-windows.js';
import { heldAt, waitedSince } from './recovery.js';

export interface PartitionRecoveries {
  /** zk-partitions that outlived the session timeout: cut -> the last of its ranges handled by another poller. */
  zkMs: number[];
  /** The same, for cuts that no other failure overlapped (see `undisturbed`). */
  zkMsUndisturbed: number[];
  /** kafka-partitions that outlived the fetch-stall timeout: cut -> the last of its ranges handled by another poller. */
  kafkaMs: number[];
  kafkaMsUndisturbed: number[];
  /** Recoveries over their target, and cuts whose ranges never moved, with the faults that overlapped them. */
  outliers: string[];
}

/** The targets: the session timeout (zk) or the fetch-stall timeout (kafka), plus the time to move ranges. */
export function partitionTargets(sessionTimeoutMs: number): { zkMaxMs: number; kafkaMaxMs: number } {
  return { zkMaxMs: sessionTimeoutMs + 1_000, kafkaMaxMs: chaosFetchStallMs(sessionTimeoutMs) + 2_000 };
}

/**
 * Cut -> the last of the ranges the poller held at the cut handled by
 * another poller; null if one never was while the cut lasted: its first
 * handling after the cut, the poller's own in-flight ones during the cut
 * aside, was the poller's again after the restore. A range with no message
 * after the cut tells nothing and is left out; one idle at the cut is timed
 * from the send of its next message (`waitedSince`).
 */
function movedAfter(cx: CheckContext, f: FaultEvent & { until: number }, poller: string): { ms: number | null; stuck: number[] } {
  let worst: number | null = null;
  const stuck: number[] = [];
  for (const range of heldAt(cx, f.at, poller)) {
    const next = (cx.byRange.get(range) ?? []).find((h) => h.start > f.at && (h.poller !== poller || h.start > f.until));
    if (!next) continue;
    if (next.poller === poller) stuck.push(range);
    else worst = Math.max(worst ?? 0, waitedSince(cx, next, f.at));
  }
  return { ms: stuck.length ? null : worst, stuck };
}

export function partitionRecoveries(cx: CheckContext): PartitionRecoveries {
  const { sessionTimeoutMs } = cx.input;
  const targets = partitionTargets(sessionTimeoutMs);
  const out: PartitionRecoveries = { zkMs: [], zkMsUndisturbed: [], kafkaMs: [], kafkaMsUndisturbed: [], outliers: [] };
  for (const f of cx.input.faults) {
    if ((f.kind !== 'zk-partition' && f.kind !== 'kafka-partition') || f.until === undefined) continue;
    const zk = f.kind === 'zk-partition';
    // A shorter cut is meant to be ridden out: the session (or the fetches) resume, nothing moves.
    if (f.until - f.at <= (zk ? sessionTimeoutMs : chaosFetchStallMs(sessionTimeoutMs))) continue;
    const poller = f.target.split('#')[0] as string;
    const { ms, stuck } = movedAfter(cx, { ...f, until: f.until }, poller);
    const others = overlapping(cx, f, f.at, ms === null ? f.until : f.at + ms);
    const seen = others.map((g) => describeFault(g, f.at)).join(', ') || 'none';
    if (stuck.length) {
      out.outliers.push(`${f.kind} of ${f.target}: ranges ${stuck.join(',')} not handled by another poller while it was cut off; overlapping: ${seen}`);
      continue;
    }
    if (ms === null) continue; // it held no range with messages after the cut
    (zk ? out.zkMs : out.kafkaMs).push(ms);
    // Undisturbed: no other failure (slow handlers aside) whose influence meets the span from the cut to the recovery.
    if (others.length === 0) (zk ? out.zkMsUndisturbed : out.kafkaMsUndisturbed).push(ms);
    if (ms > (zk ? targets.zkMaxMs : targets.kafkaMaxMs)) out.outliers.push(`${f.kind} of ${f.target} recovered in ${ms} ms; overlapping: ${seen}`);
  }
  return out;
}
