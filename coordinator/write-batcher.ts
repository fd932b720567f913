import type { Op, ZkSession } from './zk-session.js';
import { ZkError } from './zk-errors.js';
import { chunkBySize, opBytes } from './op-chunks.js';


interface Unit {
  ops: Op[];
  generation: number | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Sends the writes of one process as few multis as it can (docs/design.md,
 * "Commits and leases in batches"): every unit (for example a commit's
 * check(leases/r) + setData(offsets/r)) submitted in the same turn of the
 * event loop goes into one multi per session, split into chunks below the request limit.
 * A multi is all or nothing: when one unit fails it, that unit gets the
 * error and the others are sent again without it, so each unit succeeds or
 * fails exactly as if it had been sent alone.
 */
export class WriteBatcher {
  private queue: Unit[] = [];
  private scheduled = false;
  private multis = 0;

  /**
   * `windowMs`: how long units are collected before a multi leaves. The
   * default (none) sends them after the current turn of the event loop:
   * enough for everything submitted together (a commit pass) or answered in
   * the same burst of replies (the lease reads of one assignment), and it
   * adds no delay to a lone handoff.
   */
  constructor(
    private readonly zk: ZkSession,
    private readonly windowMs = 0,
  ) {}

  /** Multis sent so far (chunks and resends each count). */
  get multisSent(): number {
    return this.multis;
  }

  /** Resolves when the unit's ops landed (atomically), rejects with the error of its failing op. */
  submit(ops: Op[], generation?: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, generation, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      if (this.windowMs > 0) setTimeout(() => this.flush(), this.windowMs);
      else setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const units = this.queue;
    this.queue = [];
    const bySession = new Map<number | undefined, Unit[]>();
    for (const u of units) (bySession.get(u.generation) ?? bySession.set(u.generation, []).get(u.generation)!).push(u);
    for (const [generation, group] of bySession) {
      for (const chunk of chunkBySize(group, (u) => u.ops.reduce((n, op) => n + opBytes(op), 0))) void this.send(chunk, generation);
    }
  }

  private async send(units: Unit[], generation: number | undefined): Promise<void> {
    while (units.length > 0) {
      const ops = units.flatMap((u) => u.ops);
      this.multis++;
      try {
        await this.zk.multi(ops, generation);
        for (const u of units) u.resolve();
        return;
      } catch (err) {
        const failing = unitOf(err, units);
        if (failing < 0) {
          for (const u of units) u.reject(err);
          return;
        }
        units[failing]!.reject(err);
        units = units.filter((_, i) => i !== failing);
      }
    }
  }
}

/** The unit whose op failed the multi, or -1 if the error names none (the connection failed: every unit gets it). */
function unitOf(err: unknown, units: Unit[]): number {
  if (!(err instanceof ZkError) || err.opIndex === undefined) return -1;
  let index = err.opIndex;
  for (let i = 0; i < units.length; i++) {
    if (index < units[i]!.ops.length) return i;
    index -= units[i]!.ops.length;
  }
  return -1;
}
