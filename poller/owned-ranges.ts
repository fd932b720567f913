import type { Offset } from '../coordinator/index.js';
import type { RangeConsumer } from './range-ownership.js';
import type { RangeSource, SourceMessage } from './range-source.js';
import type { RangePipeline } from './range-pipeline.js';
import type { Clock } from './clock.js';

/** Everything this process keeps for one range whose lease it holds. */
interface OwnedRange {
  /** The acquisition that started it (see RangeConsumer). */
  readonly token: number;
  /** Null while the source resolves the start offset. */
  pipeline: RangePipeline | null;
  /** Messages that arrived before the pipeline existed. */
  early: SourceMessage[];
  /** Fetching paused because the pipeline's queue is full. */
  fetchPaused: boolean;
  /** Messages between the committed position and the partition's end, at the last sample. */
  lag: number | undefined;
  /** Ends the wait of a split's order barrier when the range goes. */
  barrier: AbortController | null;
  /** Where its split's order barrier holds it (Infinity: none, or passed). */
  barrierHold: Offset;
}

/** A split's order barrier for one range (docs/design.md "Growing a group"). */
export interface OrderBarrier {
  /** Messages at or past this offset wait... */
  holdFrom: Offset;
  /** ...until this resolves (it rejects only when the signal aborts). */
  wait: (signal: AbortSignal) => Promise<void>;
  /**
   * Reads once whether the parent got there already, so a range about to be
   * taken starts without the barrier when it did; `wait` takes up a look
   * still under way rather than reading again.
   */
  look: () => void;
}

/** A resized group's order barriers (poller/order-barriers.ts). */
export interface SplitBarriers {
  /** The order barrier of a range that the split created or changed; null when it has none (or it has passed). */
  of(range: number): OrderBarrier | null;
  /** Whether the split created or changed the range (its barrier may have passed): with nothing committed it starts at offset 0. */
  fromSplit(range: number): boolean;
}

export interface OwnedRangesOptions {
  source: RangeSource;
  /** A new pipeline for a range (not yet started). */
  newPipeline: (range: number) => RangePipeline;
  /** Where a range with no committed offset starts. */
  from: 'earliest' | 'latest';
  /** Looks at every batch before it is queued (a resized group's misplaced-key check). */
  inspect?: (range: number, messages: readonly SourceMessage[]) => void;
  /** The last split's order barriers; none for a group never resized. */
  barriers?: SplitBarriers;
  /** How long a graceful stop lets in-flight messages finish when the caller gives no limit. */
  drainTimeoutMs: number;
  /** Above this many queued messages a range's fetching is paused; below half of it, resumed. */
  maxQueuedPerRange: number;
  clock: Clock;
  /** How long a graceful stop took (for the handoff histogram). */
  onStopped?: (ms: number) => void;
  /**
   * Whether the handler refuses every call (its sidecar is gone): in-flight
   * messages then cannot finish, so a stop without a limit lets them go at
   * once instead of waiting out the drain timeout.
   */
  handlerStalled?: () => boolean;
}

/**
 * The Kafka side of the ranges this process owns: one record per range,
 * created when its lease is taken and gone when it is released or lost. Feeds
 * each range's messages to its pipeline and pauses fetching while the
 * pipeline's queue is full.
 */
export class OwnedRanges implements RangeConsumer {
  private readonly ranges = new Map<number, OwnedRange>();
  /** Set by a resize's cut-over: where each range's messages stop for good in this process. */
  private frozen: ((range: number) => Offset) | null = null;
  /** While a resize cuts over: each partition's hold line (a range with none holds everything). */
  private lines: readonly Offset[] | null = null;
  private barriers: SplitBarriers | undefined;
  private inspect: OwnedRangesOptions['inspect'];

  constructor(private readonly opts: OwnedRangesOptions) {
    this.barriers = opts.barriers;
    this.inspect = opts.inspect;
  }

  /** The range's lease create went out: its barrier (if any) is looked at meanwhile, a round trip saved at start(). */
  prepare(range: number): void {
    this.barriers?.of(range)?.look();
  }

  async start(range: number, from: Offset | null, token: number): Promise<void> {
    this.discard(range);
    const owned: OwnedRange = { token, pipeline: null, early: [], fetchPaused: false, lag: undefined, barrier: null, barrierHold: Number.POSITIVE_INFINITY };
    this.ranges.set(range, owned);
    let startAt: Offset;
    try {
      // A range the split created or changed has, with no commit yet, had
      // nothing handled past its split point: it starts at the beginning,
      // whatever --from says (--from latest would skip what producers sent
      // it since the cut-over), and so even once its barrier has passed.
      // Offset 0 rather than 'earliest': a child partition was made by the
      // resize, so 0 is where it begins, and asking the broker would delay
      // every child's first message by a round of ListOffsets. (Were 0 gone
      // by retention, both sources go on from the earliest.)
      startAt = await this.opts.source.assign(range, from ?? (this.barriers?.fromSplit(range) ? 0 : this.opts.from));
    } catch (err) {
      if (this.ranges.get(range) === owned) this.ranges.delete(range);
      throw err;
    }
    // Lost (or started again) while the source resolved the offset: nothing to run.
    if (this.ranges.get(range) !== owned) return;
    const pipeline = this.opts.newPipeline(range);
    pipeline.start(startAt);
    owned.pipeline = pipeline;
    // The group may have grown while the offset was resolved (followSplit): its barrier, not the one read before.
    const barrierNow = this.barriers?.of(range) ?? null;
    if (this.frozen) {
      owned.barrierHold = barrierNow?.holdFrom ?? Number.POSITIVE_INFINITY;
      pipeline.holdFrom(Math.min(this.frozen(range), owned.barrierHold));
    } else if (barrierNow) this.holdAtBarrier(range, owned, pipeline, barrierNow);
    if (this.lines) pipeline.holdFrom(this.lineOf(range));
    if (owned.early.length) pipeline.push(owned.early);
    owned.early = [];
  }

  async stop(range: number, timeoutMs?: number): Promise<Offset | null> {
    this.opts.source.revoke(range);
    const owned = this.ranges.get(range);
    if (!owned?.pipeline) {
      this.ranges.delete(range);
      return null;
    }
    // Revoked: its fetching must not be resumed by the backpressure ticker.
    owned.fetchPaused = false;
    owned.early = [];
    const began = this.opts.clock.now();
    const limit = timeoutMs ?? (this.opts.handlerStalled?.() ? 0 : this.opts.drainTimeoutMs);
    const offset = await owned.pipeline.release(limit);
    owned.barrier?.abort();
    if (this.ranges.get(range) === owned) this.ranges.delete(range);
    this.opts.onStopped?.(this.opts.clock.now() - began);
    return offset;
  }

  hurry(range: number, timeoutMs: number): void {
    this.ranges.get(range)?.pipeline?.hurryRelease(timeoutMs);
  }

  lost(range: number, token?: number): void {
    const owned = this.ranges.get(range);
    if (token !== undefined && owned?.token !== token) return;
    this.opts.source.revoke(range);
    this.discard(range);
  }

  committable(range: number): Offset | null {
    return this.ranges.get(range)?.pipeline?.committable() ?? null;
  }

  /** The source's receiver. */
  readonly dispatch = (range: number, messages: SourceMessage[]): void => {
    const owned = this.ranges.get(range);
    if (!owned) return;
    this.inspect?.(range, messages);
    if (!owned.pipeline) {
      // A whole batch can be larger than the argument limit of push(...batch).
      for (const m of messages) owned.early.push(m);
      return;
    }
    owned.pipeline.push(messages);
    if (!owned.fetchPaused && owned.pipeline.queued() > this.opts.maxQueuedPerRange) {
      owned.fetchPaused = true;
      this.opts.source.pause(range);
    }
  };

  /**
   * Called on a short ticker: resumes fetching of ranges whose queue has
   * drained to half, and (`resumeParked`) the pipelines' work parked while
   * the fencing gate was closed.
   */
  tick(resumeParked: boolean): void {
    const low = this.opts.maxQueuedPerRange / 2;
    for (const [range, owned] of this.ranges) {
      if (!owned.pipeline) continue;
      if (resumeParked) owned.pipeline.resume();
      if (owned.fetchPaused && owned.pipeline.queued() <= low) {
        owned.fetchPaused = false;
        this.opts.source.resume(range);
      }
    }
  }

  /** Ranges that are consuming (their pipeline started), ascending. */
  consuming(): number[] {
    return [...this.running()].map(([range]) => range).sort((a, b) => a - b);
  }

  count(): number {
    let n = 0;
    for (const owned of this.ranges.values()) if (owned.pipeline) n++;
    return n;
  }

  inFlight(): number {
    let n = 0;
    for (const [, pipeline] of this.running()) n += pipeline.inFlight();
    return n;
  }

  /** Lag per range at the last sample. */
  *lags(): IterableIterator<[number, number]> {
    for (const [range, owned] of this.ranges) if (owned.pipeline && owned.lag !== undefined) yield [range, owned.lag];
  }

  /** Samples each consuming range's lag against the partitions' end offsets. */
  async sampleLag(): Promise<void> {
    if (this.count() === 0) return;
    const ends = await this.opts.source.endOffsets();
    for (const [range, owned] of this.ranges) {
      const end = ends.get(range);
      if (end !== undefined && owned.pipeline) owned.lag = Math.max(0, end - owned.pipeline.committable());
    }
  }

  private *running(): IterableIterator<[number, RangePipeline]> {
    for (const [range, owned] of this.ranges) if (owned.pipeline) yield [range, owned.pipeline];
  }

  /** Holds the range's messages past its split point until the old range its keys came from has been handled up to its own. */
  private holdAtBarrier(range: number, owned: OwnedRange, pipeline: RangePipeline, barrier: OrderBarrier): void {
    pipeline.holdFrom(barrier.holdFrom);
    owned.barrierHold = Math.min(owned.barrierHold, barrier.holdFrom);
    const abort = (owned.barrier = new AbortController());
    barrier.wait(abort.signal).then(
      () => {
        // A later split's barrier may have replaced this one meanwhile: only the current one lifts.
        if (this.ranges.get(range) !== owned || owned.barrier !== abort || this.frozen) return;
        owned.barrier = null;
        owned.barrierHold = Number.POSITIVE_INFINITY;
        pipeline.holdOnlyFrom(this.holdOf(range, owned)); // a resize's hold line may still stand
      },
      () => undefined, // the range went first
    );
  }

  /** Where a range's messages wait now: the lowest of its freeze, its barrier and a resize's hold line. */
  private holdOf(range: number, owned: OwnedRange): Offset {
    const frozen = this.frozen ? this.frozen(range) : Number.POSITIVE_INFINITY;
    const line = this.lines ? this.lineOf(range) : Number.POSITIVE_INFINITY;
    return Math.min(frozen, owned.barrierHold, line);
  }

  private lineOf(range: number): Offset {
    return this.lines?.[range] ?? 0;
  }

  /**
   * A resize is cutting over (docs/design.md "Growing a group", step 2):
   * until `dropLines()`, no range starts a message at or past its
   * partition's line, here or in a range started meanwhile (one with no
   * line holds everything). The lines are the split points the cut-over
   * commits (or drops in a rollback): what is below them belongs to the old
   * range count whatever happens.
   */
  holdAtLines(lines: readonly Offset[]): void {
    this.lines = lines;
    for (const [range, owned] of this.ranges) owned.pipeline?.holdFrom(this.lineOf(range));
  }

  /** The cut-over is over: the lines go, the holds of freezes and barriers stay. */
  dropLines(): void {
    if (!this.lines) return;
    this.lines = null;
    for (const [range, owned] of this.ranges) owned.pipeline?.holdOnlyFrom(this.holdOf(range, owned));
  }

  /**
   * The group was resized under us (docs/design.md "Growing a group"): from
   * here on no range starts a message at or past `offsetOf(range)`, its
   * split point, here or in a range started later; the ones past it belong
   * to the new range count, which this process does not run. An order
   * barrier that waits stays shut (its hold is the lower one).
   */
  freezeFrom(offsetOf: (range: number) => Offset): void {
    this.frozen = offsetOf;
    for (const [range, owned] of this.ranges) {
      owned.barrier?.abort();
      owned.barrier = null;
      owned.pipeline?.holdFrom(offsetOf(range));
    }
  }

  /**
   * The group grew in place (docs/design.md "Growing a group"): from now on
   * ranges follow the new split's order barriers and misplaced-key check.
   * Every range already running gets its barrier now: its messages past the
   * split point wait for its parent partition, as in a range started after
   * the split; what lies below goes on flowing. Called while the fencing
   * gate is held, so nothing past a split point has started.
   */
  followSplit(barriers: SplitBarriers | undefined, inspect: OwnedRangesOptions['inspect']): void {
    this.barriers = barriers;
    this.inspect = inspect;
    for (const [range, owned] of this.ranges) {
      const b = barriers?.of(range) ?? null;
      if (!owned.pipeline || !b) continue;
      // A barrier of the split before this one has passed (a resize waits
      // for that), though its wait may not know yet; the new one is later
      // on the same partitions, and the pipeline keeps the lower hold.
      owned.barrier?.abort();
      this.holdAtBarrier(range, owned, owned.pipeline, b);
    }
  }

  /** Ranges whose next message waits at a split's order barrier, ascending. */
  atBarrier(): number[] {
    return [...this.ranges]
      .filter(([, owned]) => owned.barrier !== null && owned.pipeline?.heldBack())
      .map(([range]) => range)
      .sort((a, b) => a - b);
  }

  /** Drops a range's record, aborting its pipeline (everything uncommitted is redelivered to the next owner). */
  private discard(range: number): void {
    const owned = this.ranges.get(range);
    owned?.barrier?.abort();
    owned?.pipeline?.abort();
    this.ranges.delete(range);
  }
}
