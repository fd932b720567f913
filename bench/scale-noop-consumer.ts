import type { Offset } from '../coordinator/index.js';
import type { RangeConsumer } from '../poller/range-ports.js';

/**
 * A message source that reads nothing: each range it holds "consumes"
 * `rate` messages a second from the offset it started at, so the periodic
 * commits always have a newer offset to write (rate 0: never anything to
 * commit). Stands in for Kafka in the scale benchmark.
 */
export class NoopConsumer implements RangeConsumer {
  private readonly running = new Map<number, { from: Offset; since: number }>();

  constructor(
    private readonly rate: number,
    private readonly now: () => number = Date.now,
  ) {}

  start(range: number, from: Offset | null): void {
    this.running.set(range, { from: from ?? 0, since: this.now() });
  }

  stop(range: number): Promise<Offset | null> {
    const offset = this.committable(range);
    this.running.delete(range);
    return Promise.resolve(offset);
  }

  lost(range: number): void {
    this.running.delete(range);
  }

  committable(range: number): Offset | null {
    const r = this.running.get(range);
    if (!r || this.rate <= 0) return null;
    return r.from + Math.floor((this.rate * (this.now() - r.since)) / 1000);
  }
}
