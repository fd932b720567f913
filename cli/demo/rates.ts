/** Messages per second of a growing counter, over a sliding window of samples. */
export class RateMeter {
  private readonly samples: { at: number; count: number }[] = [];

  constructor(private readonly windowMs = 3_000) {}

  sample(count: number, at = Date.now()): void {
    this.samples.push({ at, count });
    while (this.samples.length > 2 && at - this.samples[0]!.at > this.windowMs) this.samples.shift();
  }

  /** null until two samples are at least 500 ms apart. */
  get perSecond(): number | null {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at - first.at < 500) return null;
    return ((last.count - first.count) * 1000) / (last.at - first.at);
  }
}
