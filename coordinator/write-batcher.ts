import type { Op, ZkSession } from './zk-session.js';
import { ZkError } from './zk-errors.js';
import { chunkBySize, opBytes } from './op-chunks.js';


interface Unit {
  ops: Op[];
  generation: number | undefined;
  /** Called each time the unit's multi is handed to the session (see submit()). */
  sent: (() => void) | undefined;
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
  /** A pump is scheduled or sending: units submitted now are picked up by it. */
  private pumping = false;
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

  /**
   * Resolves when the unit's ops landed (atomically), rejects with the error
   * of its failing op.
   *
   * `sent` is called right after each multi carrying the unit was handed to
   * the session, before its reply. ZooKeeper serves one session's requests
   * in the order they were sent, so a read the caller sends from `sent` sees
   * what the multi did: a lease holder reads its range's offset without
   * waiting a round trip for the create's reply. A multi that another unit
   * failed is sent again, and `sent` called again; only the reads sent after
   * the last call follow the write that landed.
   */
  submit(ops: Op[], generation?: number, sent?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ops, generation, sent, resolve, reject });
      if (this.pumping) return;
      this.pumping = true;
      const pump = () => void this.pump();
      if (this.windowMs > 0) setTimeout(pump, this.windowMs);
      else setImmediate(pump);
    });
  }

  /**
   * One multi in flight at a time, in the order units were submitted, a
   * failed multi's resend before anything newer: a session's writes then land
   * in the order they were made, as single requests would. (Sent side by
   * side, a periodic commit resent after a failure could land after the
   * release that followed it deleted the lease, and pass the next holder's
   * lease check: a lease check compares versions, and every lease starts at
   * version 0.)
   */
  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const units = this.queue;
      this.queue = [];
      for (const run of sameSessionRuns(units)) {
        for (const chunk of chunkBySize(run, (u) => u.ops.reduce((n, op) => n + opBytes(op), 0))) await this.send(chunk, run[0]!.generation);
      }
    }
    this.pumping = false;
  }

  private async send(units: Unit[], generation: number | undefined): Promise<void> {
    while (units.length > 0) {
      const ops = units.flatMap((u) => u.ops);
      this.multis++;
      try {
        const landed = this.zk.multi(ops, generation);
        for (const u of units) u.sent?.();
        await landed;
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

/** Consecutive units of the same session, in order (a multi goes through one session). */
function sameSessionRuns(units: Unit[]): Unit[][] {
  const runs: Unit[][] = [];
  for (const u of units) {
    const last = runs[runs.length - 1];
    if (last && last[0]!.generation === u.generation) last.push(u);
    else runs.push([u]);
  }
  return runs;
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
