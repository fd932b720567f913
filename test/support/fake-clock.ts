import type { Clock } from '../../poller/clock.js';

interface Timer {
  at: number;
  fire: () => void;
}

/**
 * A clock for unit tests: time moves only when the test calls `advance`,
 * which fires every sleep and interval that falls due, in time order.
 */
export class FakeClock implements Clock {
  private time = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  readonly sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer: Timer = { at: this.time + ms, fire: resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      }, { once: true });
    });

  every(ms: number, fn: () => void): () => void {
    let stopped = false;
    const schedule = () => {
      this.timers.push({
        at: this.time + ms,
        fire: () => {
          if (stopped) return;
          fn();
          schedule();
        },
      });
    };
    schedule();
    return () => {
      stopped = true;
    };
  }

  /** Moves time forward by `ms`, firing what falls due (and letting promise callbacks run in between). */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      this.time = next.at;
      next.fire();
      await flushPromises();
    }
    this.time = until;
    await flushPromises();
  }

  /** Timers still waiting (intervals count). */
  pending(): number {
    return this.timers.length;
  }
}

/** Lets every promise callback that is ready run. */
export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise<void>((r) => setImmediate(r));
}
