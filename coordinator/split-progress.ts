import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseOffset, type SplitInfo } from './znodes.js';
import { offsetFromString } from './offsets.js';

/** How far one old partition is from its split point. */
export interface ParentProgress {
  partition: number;
  /** Its end offset at the cut-over: its own old-range messages end here. */
  splitAt: number;
  /** Its committed offset now (0 when nothing was committed yet). */
  committed: number;
  /** Messages below the split point not yet committed: its children wait while this is above 0. */
  remaining: number;
}

/**
 * Each old partition's committed offset against its split point. A missing
 * or unreadable `offsets/<p>` counts as 0 committed: a child never starts on
 * a guess.
 */
export async function splitProgress(zk: ZkSession, paths: GroupPaths, split: SplitInfo): Promise<ParentProgress[]> {
  const nodes = await Promise.all(split.offsets.map((_, p) => zk.getDataOrNull(paths.offset(p))));
  return progressOf(split, (p) => {
    const node = nodes[p];
    const parsed = node ? parseOffset(node.data) : null;
    return parsed?.ok ? parsed.value.offset : null;
  });
}

/** The same, from committed offsets already read (decimal strings, null when none). */
export function progressOf(split: SplitInfo, committedOf: (partition: number) => string | null): ParentProgress[] {
  return split.offsets.map((at, p) => {
    const text = committedOf(p);
    const committed = text === null ? 0 : offsetFromString(text);
    const splitAt = offsetFromString(at);
    return { partition: p, splitAt, committed, remaining: Math.max(0, splitAt - committed) };
  });
}

/** The old partition whose keys new range `range` took over in a split from `from` to `to` ranges. */
export function parentOf(range: number, from: number, to: number): number {
  return Math.floor(range / (to / from));
}

/** One read: whether old partition `partition` has been committed up to `offset` (false when unreadable). */
export async function committedUpTo(zk: ZkSession, paths: GroupPaths, partition: number, offset: number): Promise<boolean> {
  if (offset <= 0) return true;
  const node = await zk.getDataOrNull(paths.offset(partition));
  const parsed = node ? parseOffset(node.data) : null;
  return parsed?.ok === true && offsetFromString(parsed.value.offset) >= offset;
}

/**
 * Resolves once old partition `partition` has been committed up to `offset`
 * (its split point): reads `offsets/<partition>` with a watch and again on
 * every change, and on a timer as well (a watch set through a connection
 * that then moves can be lost). Rejects only when `signal` aborts.
 */
export async function waitForCommitted(zk: ZkSession, paths: GroupPaths, partition: number, offset: number, signal: AbortSignal, recheckMs = 1_000): Promise<void> {
  const path = paths.offset(partition);
  if (offset <= 0) return;
  for (;;) {
    signal.throwIfAborted();
    let wake!: () => void;
    const changed = new Promise<void>((resolve) => (wake = resolve));
    try {
      // A data watch fires on a change or deletion; a missing node takes an
      // exists watch instead (it fires on the creation), and a node created
      // between the two reads is read on the next turn.
      const node = await zk.getDataOrNull(path, () => wake());
      if (!node && (await zk.exists(path, () => wake()))) continue;
      const parsed = node ? parseOffset(node.data) : null;
      if (parsed?.ok && offsetFromString(parsed.value.offset) >= offset) return;
    } catch {
      // Connection trouble: read again after the recheck delay.
    }
    signal.throwIfAborted();
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => wake();
    signal.addEventListener('abort', onAbort, { once: true });
    await Promise.race([changed, new Promise<void>((resolve) => (timer = setTimeout(resolve, recheckMs)))]);
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
