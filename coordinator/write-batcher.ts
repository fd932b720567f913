import type { Op, ZkSession } from './zk-session.js';
import { ZkError } from './zk-errors.js';
import { chunkBySize, opBytes } from './op-chunks.js';

/** Units submitted within this window share a multi: the acquisitions begun by one assignment land in one burst of replies. */
const DEFAULT_WINDOW_MS = 2;

interface Unit {
  ops: Op[];
  generation: number | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Sends the writes of one process as few multis as it can (docs/design.md,
 * "Commits and leases in batches"): every unit (for example a commit's
 * check(leases/r) + setData(offsets/r)) submitted within a short window goes
 * into one multi per session, split into chunks below the request limit.
 * A multi is all or nothing: when one unit fails it, that unit gets the
 * error and the others are sent again without it, so each unit succeeds or
 * fails exactly as if it had been sent alone.
 */
export class WriteBatcher {
  private queue: Unit[] = [];
  private timer: NodeJS.Timeout | null = null;
  private multis = 0;

  constructor(
    private readonly zk: ZkSession,
    private readonly windowMs = DEFAULT_WINDOW_MS,
  ) {}

  /** Multis sent so far (chunks and resends each count). */
  get multisSent(): number {
    return this.multis;
  }

  /** Resolves when the unit's ops landed (atomically), rejects with the error of its failing op. */
  submit(ops: Op[], generation?: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, generation, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    this.timer = null;
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
