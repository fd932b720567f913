import type { Clock } from './clock.js';

/**
 * The time a graceful stop gives its last steps (docs/design.md "Graceful
 * stop"): once it is spent, retries give up (`signal` aborts) and waits end
 * (`settleWithin`), so a stop ends in bounded time whatever ZooKeeper or
 * Kafka do. Never holds the process open.
 */
export class StopBudget {
  readonly endsAt: number;
  private readonly spentSignal = new AbortController();
  /** Resolves when the budget is spent: one promise that every wait races against. */
  private readonly spentAt: Promise<void>;

  constructor(
    private readonly clock: Clock,
    ms: number,
  ) {
    this.endsAt = clock.now() + Math.max(0, ms);
    this.spentAt = clock.sleep(Math.max(0, ms)).then(() => this.spentSignal.abort());
  }

  /** Aborts when the budget is spent. */
  get signal(): AbortSignal {
    return this.spentSignal.signal;
  }

  spent(): boolean {
    return this.spentSignal.signal.aborted || this.clock.now() >= this.endsAt;
  }

  /** What is left, in ms (0 once spent). */
  left(): number {
    return Math.max(0, this.endsAt - this.clock.now());
  }

  /** Resolves true once `work` has settled, or false when the budget is spent first. */
  async settleWithin(work: Promise<unknown>): Promise<boolean> {
    if (this.spent()) return false;
    let settled = false;
    const done = work.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.race([done, this.spentAt]);
    return settled;
  }
}
