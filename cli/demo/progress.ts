import type { GroupSnapshot, GroupEvent } from '../../coordinator/index.js';
import { rememberEvent } from '../views/watch-view.js';
import type { MoveTimer } from './measure.js';

/**
 * What the demo has seen so far. The script and the group watcher write it;
 * the live screen, the rate sampler and the summary read it.
 */
export class DemoProgress {
  /** Messages sent so far: the producer's reports, raised by fresher end offsets on the live screen. */
  produced = 0;
  /** Everything the producer sent, once it stopped. */
  producedFinal: number | null = null;
  latest: GroupSnapshot | null = null;
  /** The group's recent events, for the live screen. */
  readonly events: GroupEvent[] = [];
  /** Times the move of the killed poller's ranges. */
  kill: MoveTimer | null = null;
  /** Times the handoff of the drained poller's ranges. */
  drain: MoveTimer | null = null;
  /** The resize step: its cut-over, and when every new range had started. */
  resize: { from: number; to: number; startedAt: number; pausedMs: number | null; doneMs: number | null } | null = null;
  /** From the producer's stop until every produced message was handled. */
  catchUpMs: number | null = null;
  /** When the producer started: the script's clock. */
  t0 = Date.now();
  /** Index into the script of the step being played; -1 before the first. */
  current = -1;
  /** What the script is waiting for, if anything. */
  waiting: string | null = null;

  /** A group snapshot: the move timers see it first, then it is the latest. */
  observe(s: GroupSnapshot, now = Date.now()): void {
    this.kill?.observe(s, now);
    this.drain?.observe(s, now);
    this.latest = s;
  }

  event(e: GroupEvent): void {
    rememberEvent(this.events, e);
  }

  /** What the summary counts as produced. */
  get producedCount(): number {
    return this.producedFinal ?? this.produced;
  }
}
