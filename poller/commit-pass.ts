import type { Logger } from 'pino';
import type { Offset } from '../coordinator/index.js';
import type { OffsetPort, RangeConsumer } from './range-ports.js';
import type { Slot } from './range-slot.js';

export interface CommitPassOptions {
  slots: ReadonlyMap<number, Slot>;
  consumer: Pick<RangeConsumer, 'committable'>;
  offsets: OffsetPort;
  log: Logger;
  committed: (range: number, offset: Offset) => void;
  failed: (range: number, err: unknown) => void;
  /** The commit was fenced while the range was still owned under that lease: the lease is gone. */
  fenced: (range: number) => void;
}

/**
 * One commit of every owned range whose offset moved, all sent at once (the
 * offset store batches them into one multi). A call while the last one still
 * runs is skipped (the cadence never makes one). Resolves whether any commit
 * was sent (false: no offset had moved).
 */
export class CommitPass {
  private running = false;

  constructor(private readonly opts: CommitPassOptions) {}

  async run(): Promise<boolean> {
    if (this.running) return false;
    this.running = true;
    try {
      const sent = await Promise.all([...this.opts.slots.keys()].map((r) => this.commitOne(r)));
      return sent.includes(true);
    } finally {
      this.running = false;
    }
  }

  /** Whether a write was sent (an unchanged offset sends none). */
  private async commitOne(range: number): Promise<boolean> {
    const slot = this.opts.slots.get(range);
    if (!slot || slot.state !== 'owned' || !slot.lease) return false;
    const offset = this.opts.consumer.committable(range);
    if (offset === null) return false;
    const lease = slot.lease;
    try {
      const res = await this.opts.offsets.commit(lease, offset);
      if (res === 'committed') this.opts.committed(range, offset);
      else if (res === 'fenced' && slot.state === 'owned' && slot.lease === lease) this.opts.fenced(range);
      return res !== 'unchanged';
    } catch (err) {
      this.opts.failed(range, err);
      this.opts.log.warn({ err, range }, 'commit failed; will retry');
      return true;
    }
  }
}
