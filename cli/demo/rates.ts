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

/** The counts the demo samples together, every 250 ms. */
export interface DemoCounts {
  produced: number;
  /** Deliveries, duplicates included. */
  handled: number;
  perPoller: { poller: string; handled: number }[];
  /** The sum of the committed offsets, once a snapshot was read. */
  committed: number | null;
}

/** The rates the live screen shows: produced, handled and committed messages per second, and handled per poller. */
export class DemoRates {
  readonly produced = new RateMeter();
  readonly handled = new RateMeter();
  readonly committed = new RateMeter();
  private readonly pollers = new Map<string, RateMeter>();

  sample(counts: DemoCounts, at = Date.now()): void {
    this.produced.sample(counts.produced, at);
    this.handled.sample(counts.handled, at);
    for (const p of counts.perPoller) this.meterOf(p.poller).sample(p.handled, at);
    if (counts.committed !== null) this.committed.sample(counts.committed, at);
  }

  /** Handled messages per second of one poller; null until measured. */
  ofPoller(poller: string): number | null {
    return this.pollers.get(poller)?.perSecond ?? null;
  }

  private meterOf(poller: string): RateMeter {
    let meter = this.pollers.get(poller);
    if (!meter) this.pollers.set(poller, (meter = new RateMeter()));
    return meter;
  }
}
