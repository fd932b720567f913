// Checks over what the recording handler wrote (poller/handlers/recording-handler.ts):
// delivery, duplicates, per-key order, and the pauses of ranges.
import type { HandledRecord } from '../../poller/handlers/handled-record.js';

/** Successful handler calls only (failed attempts are recorded with failed:true). */
export function handledOnly(records: HandledRecord[]): HandledRecord[] {
  return records.filter((r) => !r.failed);
}

export interface Delivery {
  /** Distinct ids handled. */
  unique: number;
  /** Ids in 0..count-1 never handled. */
  missing: number[];
  /** Ids handled more than once, with every handling. */
  duplicates: Map<number, HandledRecord[]>;
}

export function delivery(records: HandledRecord[], count: number): Delivery {
  const byId = new Map<number, HandledRecord[]>();
  for (const r of handledOnly(records)) {
    const list = byId.get(r.id);
    if (list) list.push(r);
    else byId.set(r.id, [r]);
  }
  const missing: number[] = [];
  for (let id = 0; id < count; id++) if (!byId.has(id)) missing.push(id);
  const duplicates = new Map([...byId].filter(([, l]) => l.length > 1));
  return { unique: byId.size, missing, duplicates };
}

/**
 * Per-key order: in handling (file) order, the first handling of each message
 * of a key has a strictly larger seq than the one before, and so does every
 * poller's own handling of a key. Returns the violations (empty = in order).
 */
export function orderViolations(records: HandledRecord[]): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  const lastFirst = new Map<string, number>();
  const lastByPoller = new Map<string, number>();
  for (const r of handledOnly(records)) {
    const key = String(r.key);
    if (!seen.has(r.id)) {
      seen.add(r.id);
      const prev = lastFirst.get(key);
      if (prev !== undefined && r.seq <= prev) out.push(`key ${key}: first handling of seq ${r.seq} after seq ${prev}`);
      lastFirst.set(key, r.seq);
    }
    const pk = `${r.poller}\u0000${key}`;
    const prevP = lastByPoller.get(pk);
    if (prevP !== undefined && r.seq <= prevP) out.push(`key ${key} on ${r.poller}: seq ${r.seq} after seq ${prevP}`);
    lastByPoller.set(pk, r.seq);
  }
  return out;
}

/** Handlings grouped by range, in handling order. */
export function byRange(records: HandledRecord[]): Map<number, HandledRecord[]> {
  const out = new Map<number, HandledRecord[]>();
  for (const r of handledOnly(records)) {
    const list = out.get(r.range);
    if (list) list.push(r);
    else out.set(r.range, [r]);
  }
  return out;
}

/** Largest gap between the end of one handling and the start of the next within [from, to]. */
export function maxGap(list: HandledRecord[], from: number, to: number): number {
  let gap = 0;
  let prevEnd: number | null = null;
  for (const r of list) {
    if (r.end < from) {
      prevEnd = r.end;
      continue;
    }
    if (r.start > to) {
      if (prevEnd !== null) gap = Math.max(gap, Math.min(r.start, to) - prevEnd);
      break;
    }
    if (prevEnd !== null) gap = Math.max(gap, r.start - prevEnd);
    prevEnd = r.end;
  }
  return gap;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
