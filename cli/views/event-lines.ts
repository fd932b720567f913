import type { GroupEvent } from '../../coordinator/index.js';
import { compactRanges } from './status-table.js';

/** One line per event, for people. */
export function describeEvent(e: GroupEvent): string {
  const t = e.at.slice(11, 23);
  switch (e.type) {
    case 'leader':
      return `${t} leader        ${e.id ?? '(none)'}`;
    case 'joined':
      return `${t} joined        ${e.poller}`;
    case 'left':
      return `${t} left          ${e.poller} (${e.reason})`;
    case 'assignment':
      return `${t} assignment    epoch ${e.epoch}: ${e.moves.length} range(s) move${e.reason ? ` (${e.reason})` : ''}`;
    case 'acquired':
      return `${t} acquired      range ${e.range} by ${e.poller}${waitText(e)}`;
    case 'unhealthy':
      return `${t} unhealthy     ${e.poller} (${e.reason}: ${e.detail}); its ranges go to healthy pollers`;
    case 'healthy':
      return `${t} healthy       ${e.poller} again; it takes ranges again`;
    case 'released':
      return `${t} released      range ${e.range} by ${e.poller}`;
    case 'converged':
      return `${t} converged     epoch ${e.epoch}${e.ms !== null ? ` in ${e.ms} ms` : ''}`;
    case 'problem':
      return `${t} PROBLEM       ${e.path}: ${e.error}`;
    case 'resize':
      return `${t} resize        ${e.from} -> ${e.to} ranges ${e.state === 'started' ? 'started: producers pause for the cut-over' : e.state === 'committed' ? 'committed: new ranges start behind their parents' : 'rolled back: the range count stays'}`;
    case 'parent-drained':
      return `${t} drained       old partition ${e.partition} up to its split point ${e.splitAt}: the ranges behind it go on`;
  }
}

type Acquired = Extract<GroupEvent, { type: 'acquired' }>;
type RangeEvent = Acquired | Extract<GroupEvent, { type: 'released' }>;

const SINCE_TEXT = { 'last-commit': 'last commit', 'lease-taken': 'lease', release: 'release' } as const;

/** How long the range went unserved, counted from the old owner's last activity ZooKeeper knows of. */
function waitText(e: Acquired): string {
  if (e.unservedMs !== undefined && e.since !== undefined && e.from !== undefined) {
    const released = e.since !== 'release' && e.pausedMs !== null ? ` (released ${e.pausedMs} ms before)` : '';
    return ` after ${e.unservedMs} ms unserved since ${e.from}'s ${SINCE_TEXT[e.since]}${released}`;
  }
  return e.pausedMs !== null ? ` after ${e.pausedMs} ms paused` : '';
}

/** The wait an acquisition line reports: unserved time where known, else the pause watch saw. */
function waitOf(e: Acquired): { ms: number; unserved: boolean } | null {
  if (e.unservedMs !== undefined) return { ms: e.unservedMs, unserved: true };
  return e.pausedMs !== null ? { ms: e.pausedMs, unserved: false } : null;
}

/** Acquisitions (or releases) seen in one refresh: one line however many ranges moved. */
interface RangeBatch {
  first: RangeEvent;
  ranges: number[];
  pollers: Set<string>;
  /** The longest wait of its acquisitions, and whether any counted unserved time. */
  maxWait: { ms: number; unserved: boolean } | null;
}

/** Ranges a batch line names before "...". */
const NAMED_RANGES = 8;

/**
 * Recent events as lines, merging the acquisitions (or releases) of one
 * refresh into one line: a rebalance of a large group moves thousands of
 * ranges at once, which would push everything else off the screen.
 */
export class EventLines {
  private readonly entries: (GroupEvent | RangeBatch)[] = [];

  constructor(private readonly kept = 50) {}

  static of(events: readonly GroupEvent[]): EventLines {
    const lines = new EventLines();
    for (const e of events) lines.add(e);
    return lines;
  }

  add(e: GroupEvent): void {
    const last = this.entries[this.entries.length - 1];
    if ((e.type === 'acquired' || e.type === 'released') && last && 'first' in last && last.first.type === e.type && last.first.at === e.at) {
      extend(last, e);
      return;
    }
    this.entries.push(e.type === 'acquired' || e.type === 'released' ? batchOf(e) : e);
    if (this.entries.length > this.kept) this.entries.splice(0, this.entries.length - this.kept);
  }

  /** The `n` latest lines, oldest first. */
  latest(n: number): string[] {
    return this.entries.slice(-n).map((x) => ('first' in x ? describeBatch(x) : describeEvent(x)));
  }
}

function batchOf(e: RangeEvent): RangeBatch {
  return { first: e, ranges: [e.range], pollers: new Set([e.poller]), maxWait: e.type === 'acquired' ? waitOf(e) : null };
}

function extend(b: RangeBatch, e: RangeEvent): void {
  b.ranges.push(e.range);
  b.pollers.add(e.poller);
  const wait = e.type === 'acquired' ? waitOf(e) : null;
  if (wait) b.maxWait = { ms: Math.max(b.maxWait?.ms ?? 0, wait.ms), unserved: wait.unserved || (b.maxWait?.unserved ?? false) };
}

function describeBatch(b: RangeBatch): string {
  if (b.ranges.length === 1) return describeEvent(b.first);
  const t = b.first.at.slice(11, 23);
  const by = b.pollers.size === 1 ? b.first.poller : `${b.pollers.size} pollers`;
  const sorted = [...b.ranges].sort((x, y) => x - y);
  const named = compactRanges(sorted.slice(0, NAMED_RANGES)) + (sorted.length > NAMED_RANGES ? ',...' : '');
  const paused = b.maxWait ? ` after up to ${b.maxWait.ms} ms ${b.maxWait.unserved ? 'unserved' : 'paused'}` : '';
  return `${t} ${b.first.type.padEnd(13)} ${b.ranges.length} ranges by ${by} (${named})${paused}`;
}
