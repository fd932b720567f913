/**
 * The generation of a range pipeline's work. A start, an abort or the end of
 * a release forgets all work at once by moving to the next generation: every
 * callback of the older one (a handler settling late, a retry or a release
 * timeout coming due) compares its generation with the current one and does
 * nothing, and the timers it was waiting on are cancelled.
 */
export class WorkGeneration {
  private current = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** `sleep` replaces the cancellable timers (tests drive time with it). */
  constructor(private readonly sleep?: (ms: number) => Promise<void>) {}

  get id(): number {
    return this.current;
  }

  isCurrent(id: number): boolean {
    return id === this.current;
  }

  /** Forget the current work: checks of its id fail from now on and its timers never fire. */
  next(): void {
    this.current++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Resolves after `ms`, unless the generation moves on first (then never).
   * Unlike coordinator/retry.ts's `sleep` the timer is not unref'd: a retry
   * or a release timeout due is work the process still has to do.
   */
  wait(ms: number): Promise<void> {
    if (this.sleep) return this.sleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}
