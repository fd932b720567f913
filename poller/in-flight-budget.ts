/**
 * A poller-wide cap on handler calls in flight (`--max-in-flight`), shared by
 * the pipelines of all its ranges. `--concurrency` bounds parallelism inside
 * one range; this bounds what one process (or its sidecar) takes on at once,
 * which is what makes throughput grow with the number of pollers when the
 * handler waits on I/O.
 */
export class InFlightBudget {
  private available: number;
  private readonly waiters: (() => void)[] = [];
  private waking = false;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`max in flight must be an integer >= 1, got ${limit}`);
    this.available = limit;
  }

  tryTake(): boolean {
    if (this.available <= 0) return false;
    this.available--;
    return true;
  }

  give(n = 1): void {
    this.available = Math.min(this.limit, this.available + n);
    if (this.waiters.length > 0 && !this.waking) {
      // Wake waiting pipelines outside the caller's stack (give() runs inside a pipeline's pump).
      this.waking = true;
      queueMicrotask(() => {
        this.waking = false;
        while (this.available > 0 && this.waiters.length > 0) this.waiters.shift()!();
      });
    }
  }

  /** Calls `wake` once, the next time a slot frees up. */
  whenFree(wake: () => void): void {
    if (!this.waiters.includes(wake)) this.waiters.push(wake);
  }

  inUse(): number {
    return this.limit - this.available;
  }
}
