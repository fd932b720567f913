import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';

interface Held {
  producer: Producer;
  /** The range count this producer's metadata was fetched for (or after). */
  ranges: number;
  inFlight: number;
  retired: boolean;
}

/** A producer connected ahead of need that has never sent (so it holds no topic metadata yet). */
interface Spare {
  producer: Producer;
  /** Resolves true once connected, false if the connection failed. */
  connected: Promise<boolean>;
}

/**
 * The kafkajs producer a ring producer sends with. kafkajs learns of new
 * partitions only when its metadata ages out (five minutes by default) and
 * meanwhile leaves messages to them unsent, so when R grows the slot makes a
 * fresh producer (whose first send reads the topic's metadata) and retires
 * the old one once its sends in flight are done. It does the same after a
 * failed send: kafkajs's idempotent producer rolls a partition's sequence
 * number back when a request fails, even one the broker wrote, and the next
 * batch would reuse it; the broker takes that batch for a duplicate of the
 * written one and acknowledges it without writing it. A fresh producer gets
 * a new producer id and fresh sequences.
 *
 * Connecting one (brokers, then a producer id) takes several broker round
 * trips, and a resize's producers are paused meanwhile; so the slot keeps a
 * spare connected ahead of need. It has never sent, so its first send reads
 * the topic's metadata as it is then: the partitions a resize added included.
 */
export class ProducerSlot {
  private current: Held | null = null;
  private swapping: Promise<Held> | null = null;
  private spare: Spare | null = null;

  constructor(
    private readonly make: () => Producer,
    private readonly log: Logger,
  ) {}

  async open(ranges: number): Promise<void> {
    const producer = this.make();
    await producer.connect();
    this.current = { producer, ranges, inFlight: 0, retired: false };
    this.makeSpare();
  }

  /** Runs `send` with a producer that knows partitions 0..ranges-1. */
  async with<T>(ranges: number, send: (producer: Producer) => Promise<T>): Promise<T> {
    let held = this.current;
    if (!held) throw new Error('ring producer closed');
    if (ranges > held.ranges) held = await this.fresh(ranges);
    else if (this.swapping) held = await this.swapping;
    held.inFlight++;
    try {
      return await send(held.producer);
    } finally {
      held.inFlight--;
      if (held.retired && held.inFlight === 0) this.disconnect(held.producer, 'old kafka producer');
    }
  }

  /** Swaps in the fresh producer now (a resize about to resume), so the first send does not wait for it. */
  async prepare(ranges: number): Promise<void> {
    if (this.current && ranges > this.current.ranges) await this.fresh(ranges);
  }

  /** A failed send: the next ones go through a fresh producer (see above). */
  async renew(): Promise<void> {
    if (this.current) await this.fresh(this.current.ranges, 'a failed send');
  }

  async close(): Promise<void> {
    const held = this.current;
    const spare = this.spare;
    this.current = null;
    this.spare = null;
    // The spare may still be connecting: disconnecting now ends that too.
    await Promise.all([
      held?.producer.disconnect().catch((err: unknown) => this.log.warn({ err }, 'kafka producer disconnect failed')),
      spare?.producer.disconnect().catch((err: unknown) => this.log.debug({ err }, 'spare kafka producer disconnect failed')),
    ]);
  }

  private fresh(ranges: number, why = 'the grown range count'): Promise<Held> {
    this.swapping ??= (async () => {
      try {
        const producer = await this.takeSpare();
        const old = this.current;
        if (!old) {
          // Closed while we connected.
          this.disconnect(producer, 'kafka producer');
          throw new Error('ring producer closed');
        }
        const held: Held = { producer, ranges, inFlight: 0, retired: false };
        this.current = held;
        old.retired = true;
        if (old.inFlight === 0) this.disconnect(old.producer, 'old kafka producer');
        this.makeSpare();
        this.log.info({ ranges }, `new Kafka producer for ${why}`);
        return held;
      } finally {
        this.swapping = null;
      }
    })();
    return this.swapping;
  }

  /** The spare if it connected (waiting for it if it is still connecting), else a producer connected now. */
  private async takeSpare(): Promise<Producer> {
    const spare = this.spare;
    this.spare = null;
    if (spare && (await spare.connected)) return spare.producer;
    const producer = this.make();
    await producer.connect();
    return producer;
  }

  private makeSpare(): void {
    if (!this.current || this.spare) return;
    const producer = this.make();
    const connected = producer.connect().then(
      () => true,
      (err: unknown) => {
        // A later swap connects one itself; this one is dropped.
        this.log.debug({ err }, 'cannot connect a spare kafka producer yet');
        this.disconnect(producer, 'spare kafka producer');
        return false;
      },
    );
    this.spare = { producer, connected };
  }

  private disconnect(producer: Producer, what: string): void {
    producer.disconnect().catch((err: unknown) => this.log.warn({ err }, `${what} disconnect failed`));
  }
}
