/**
 * Runs one task at a time and folds requests together: a request while the
 * task runs makes it run once more when it ends (however many requests came
 * meanwhile), so the last request is always followed by a full run. For
 * "re-read and act on the latest state" loops, where running twice at once
 * would interleave and running once per request would only repeat work.
 */
export class CoalescingRunner {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly task: () => Promise<void> | void) {}

  /**
   * Resolves after a run that began after this call has ended. The task's
   * errors are the task's to handle: a rejection ends that run only. A first
   * request starts the task synchronously, as calling it directly would.
   */
  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    let ended!: () => void;
    // Set before the task starts: a request the task itself makes while
    // still synchronous must fold into this run, not start a second one.
    this.running = new Promise<void>((resolve) => (ended = resolve));
    const running = this.running;
    void this.loop(ended);
    return running;
  }

  /** Whether a run is under way. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when no run is under way (at once if idle). */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(ended: () => void): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.task();
        } catch {
          // The task reports its own failures; this run is over either way.
        }
      } while (this.again);
    } finally {
      // In the same step as the last `again` check: a request from here on starts a new run.
      this.running = null;
      ended();
    }
  }
}
