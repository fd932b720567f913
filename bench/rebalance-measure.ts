/**
 * The figures of bench:rebalance, from what the consumer processes recorded
 * (one line per handled message): pure, so it is unit-tested on its own.
 *
 * A partition's pause is time a message of it spent waiting while nothing of
 * that partition was being handled: for each handled message, from the later
 * of its production and the end of the partition's previous handling (by any
 * consumer) to the start of its own handling. A partition with nothing to
 * handle is not paused, however long it sits idle. A wait belongs to the
 * event in whose window it ended (a window runs from its event to the next),
 * so a wait across two windows counts once, for the later event: the one it
 * was still waiting on (a message of a killed consumer, produced before the
 * kill but not handled yet, waits for the kill's recovery).
 */

export interface Handled {
  /** Which consumer process handled it. */
  worker: string;
  partition: number;
  offset: number;
  /** The message's Kafka timestamp (the producer's clock, the same machine). */
  produced: number;
  start: number;
  end: number;
}

/** `steady`: a window with no event (its worker is none of the consumers). */
export type EventKind = 'steady' | 'join' | 'kill' | 'term';

export interface BenchEvent {
  kind: EventKind;
  at: number;
  /** The consumer that joined, was killed or got SIGTERM. */
  worker: string;
  /** When the window of this event ends (the next event, or the end of the run). */
  until: number;
}

export interface EventFigures {
  event: EventKind;
  /** Partitions whose longest pause in the window was over 200 ms. */
  pausedOver200ms: number;
  /** Longest pause of any partition, and the median over partitions of each one's longest pause (ms). */
  maxPauseMs: number;
  medianPauseMs: number;
  /** Partitions whose consumer changed (the killed or stopped one's, those given to the joiner, or any the group reshuffled). */
  moved: number;
  /** Partitions with the same consumer before and after the event. */
  unmoved: number;
  unmovedMaxPauseMs: number;
  /** No unmoved partition paused over 200 ms. */
  unmovedKeptFlowing: boolean;
  /** kill and term: until every partition of that consumer was handled again by another (ms); join: until every moved partition was handled by its new consumer. */
  handledAgainMs: number | null;
  /** Messages handled again (same partition and offset) whose second handling began in the window. */
  duplicates: number;
}

export const PAUSE_THRESHOLD_MS = 200;

export function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

interface Wait {
  from: number;
  to: number;
}

/** Every wait of every partition, and the handlings of each partition in start order. */
function byPartition(records: Handled[], partitions: number): { waits: Wait[][]; runs: Handled[][] } {
  const runs: Handled[][] = Array.from({ length: partitions }, () => []);
  for (const r of records) runs[r.partition]?.push(r);
  const waits: Wait[][] = runs.map((run) => {
    run.sort((a, b) => a.start - b.start || a.offset - b.offset);
    const out: Wait[] = [];
    let freeAt = Number.NEGATIVE_INFINITY;
    for (const r of run) {
      const from = Math.max(r.produced, freeAt);
      if (r.start > from) out.push({ from, to: r.start });
      freeAt = Math.max(freeAt, r.end);
    }
    return out;
  });
  return { waits, runs };
}

/** The consumer handling the partition at `t`: the one whose handling began last before it. */
function ownerAt(run: Handled[], t: number): string | null {
  let owner: string | null = null;
  for (const r of run) {
    if (r.start >= t) break;
    owner = r.worker;
  }
  return owner;
}

export function eventFigures(records: Handled[], partitions: number, e: BenchEvent): EventFigures {
  const { waits, runs } = byPartition(records, partitions);
  const pauses = waits.map((ws) => {
    let longest = 0;
    for (const w of ws) if (w.to > e.at && w.to <= e.until) longest = Math.max(longest, w.to - w.from);
    return longest;
  });
  const moved: number[] = [];
  const unmoved: number[] = [];
  let handledAgainMs: number | null = null;
  for (let p = 0; p < partitions; p++) {
    const run = runs[p]!;
    const before = ownerAt(run, e.at);
    const after = ownerAt(run, e.until);
    if (before !== after || before === null) moved.push(p);
    else unmoved.push(p);
    // The partitions this event hands on: the leaver's, or the joiner's new ones.
    const handsOn = e.kind === 'join' ? after === e.worker && before !== e.worker : before === e.worker;
    if (handsOn) {
      const next = run.find((r) => r.start > e.at && r.worker !== before && r.start < e.until);
      const ms = next ? next.start - e.at : e.until - e.at;
      handledAgainMs = Math.max(handledAgainMs ?? 0, ms);
    }
  }
  const unmovedMax = Math.max(0, ...unmoved.map((p) => pauses[p]!));
  return {
    event: e.kind,
    pausedOver200ms: pauses.filter((ms) => ms > PAUSE_THRESHOLD_MS).length,
    maxPauseMs: Math.max(0, ...pauses),
    medianPauseMs: median(pauses),
    moved: moved.length,
    unmoved: unmoved.length,
    unmovedMaxPauseMs: unmovedMax,
    unmovedKeptFlowing: unmovedMax <= PAUSE_THRESHOLD_MS,
    handledAgainMs,
    duplicates: duplicatesIn(records, e.at, e.until),
  };
}

/** Handlings of an already handled (partition, offset) that began in [from, until). */
export function duplicatesIn(records: Handled[], from: number, until: number): number {
  const seen = new Set<string>();
  let n = 0;
  for (const r of [...records].sort((a, b) => a.start - b.start)) {
    const k = `${r.partition}:${r.offset}`;
    if (seen.has(k)) {
      if (r.start >= from && r.start < until) n++;
    } else {
      seen.add(k);
    }
  }
  return n;
}

/** Parses one record line, `worker,partition,offset,produced,start,end` (a torn last line of a killed process: undefined). */
export function parseRecord(line: string): Handled | undefined {
  const f = line.split(',');
  if (f.length !== 6) return undefined;
  const [worker, ...nums] = f;
  const n = nums.map(Number);
  if (!worker || n.some((x) => !Number.isFinite(x))) return undefined;
  return { worker, partition: n[0]!, offset: n[1]!, produced: n[2]!, start: n[3]!, end: n[4]! };
}

export function formatRecord(r: Handled): string {
  return `${r.worker},${r.partition},${r.offset},${r.produced},${r.start},${r.end}\n`;
}
