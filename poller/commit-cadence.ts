import type { Clock } from './clock.js';

export interface CommitCadenceOptions {
  clock: Clock;
  /** The least time between the starts of two passes: bounds the poller's commit writes to one multi per `gapMs`. */
  gapMs: number;
  /**
   * One commit pass (every owned range whose offset moved); resolves true when
   * it sent a write, false when nothing had moved; must not reject. A pass
   * that sent nothing does not hold the next one back.
   */
  pass: () => Promise<boolean>;
}

/**
 * When the poller commits (docs/design.md, "Commit"): a pass is asked for
 * whenever handled messages moved an offset (`request()`), and leaves as soon
 * as the previous pass has finished and `gapMs` has passed since it began.
 * Requests made meanwhile coalesce into that one next pass; requests of the
 * same turn of the event loop share a pass even when the gap has passed. So
 * what a crash can deliver again is about one gap's worth of handled
 * messages plus one round trip, while ZooKeeper sees at most one commit multi
 * per `gapMs` per poller, one in flight, and none while nothing is handled.
 */
export class CommitCadence {
  private lastStart = Number.NEGATIVE_INFINITY;
  private wanted = false;
  private waiting = false;
  private running = false;
  private stopped = false;
  /** The next pass need not wait out the gap (requestNow). */
  private urgent = false;
  /** Ends the current wait for the gap early. */
  private wakeEarly: (() => void) | null = null;
  private readonly cancel = new AbortController();
  private writes = 0;

  constructor(private readonly opts: CommitCadenceOptions) {
    if (!Number.isFinite(opts.gapMs) || opts.gapMs < 0) throw new Error(`commit gap must be a number >= 0, got ${opts.gapMs}`);
  }

  /** Passes so far that sent a write. */
  get writingPasses(): number {
    return this.writes;
  }

  /** Something new may be committable: a pass follows as soon as the cadence allows. */
  request(): void {
    if (this.stopped) return;
    this.wanted = true;
    this.schedule();
  }

  /**
   * Like request(), but the pass does not wait out the gap: something others
   * wait for was reached (a split point, which the ranges behind its order
   * barrier watch in ZooKeeper). Rare, so the write rate stays bounded.
   */
  requestNow(): void {
    if (this.stopped) return;
    this.wanted = true;
    this.urgent = true;
    if (this.waiting) this.wakeEarly?.();
    else this.schedule();
  }

  /** No pass starts after this (one under way finishes). */
  stop(): void {
    this.stopped = true;
    this.cancel.abort();
  }

  private schedule(): void {
    if (this.running || this.waiting || !this.wanted || this.stopped) return;
    this.waiting = true;
    // Never synchronously: messages finished in the same turn join this pass.
    const wait = this.urgent ? 0 : Math.max(0, this.lastStart + this.opts.gapMs - this.opts.clock.now());
    const early = new AbortController();
    this.wakeEarly = () => early.abort();
    void this.opts.clock.sleep(wait, AbortSignal.any([this.cancel.signal, early.signal])).then(() => {
      this.waiting = false;
      this.wakeEarly = null;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.stopped || this.running || !this.wanted) return;
    this.wanted = false;
    this.urgent = false;
    this.running = true;
    const before = this.lastStart;
    this.lastStart = this.opts.clock.now();
    try {
      if (await this.opts.pass()) this.writes++;
      else this.lastStart = before;
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
