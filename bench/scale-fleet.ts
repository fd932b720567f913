/**
 * All simulated members of one bench/scale.ts run: the worker processes that
 * host them, which member lives where, and what their events say about the
 * group (leader, latest epoch, who holds which lease).
 */
import { join } from 'node:path';
import { ConvergenceTracker, movedRanges } from './scale-convergence.js';
import type { OwnershipEvent, WorkerSettings } from './scale-protocol.js';
import { preciseNow } from './scale-protocol.js';
import { WorkerProcess } from './scale-worker-process.js';

export interface FleetOptions {
  workerPath: string;
  logDir: string;
  settings: WorkerSettings;
  ranges: number;
  log: (line: string) => void;
}

export interface ConvergeWait {
  /** Only an epoch above this one counts. */
  after: number;
  /** What the owners of that epoch must show (e.g. the new member has ranges). */
  accept: (owners: readonly (string | null)[]) => boolean;
  /**
   * The owners before a change: only the ranges that moved since must be
   * held by their new owner (a range stuck elsewhere does not hold up every
   * later measurement). Without it, every range must be.
   */
  movedFrom?: readonly (string | null)[];
  timeoutMs: number;
  label: string;
}

interface Waiter {
  wait: ConvergeWait;
  resolve: (at: number | null) => void;
  /** The ranges that moved from `wait.movedFrom` to the owners of `movedAt` (computed once per epoch). */
  moved: number[];
  movedAt: number;
}

const PROGRESS_EVERY_MS = 5_000;
/** A few stuck ranges are named in progress lines. */
const NAMED_PENDING = 5;

export class Fleet {
  readonly tracker: ConvergenceTracker;
  private readonly workers: WorkerProcess[] = [];
  private readonly all = new Set<WorkerProcess>();
  private readonly home = new Map<string, WorkerProcess>();
  private readonly waiters = new Set<Waiter>();
  private readonly expectedExits = new Set<WorkerProcess>();
  private leaderId: string | null = null;
  private failure: string | null = null;
  private retries = 0;

  constructor(private readonly opts: FleetOptions) {
    this.tracker = new ConvergenceTracker(opts.ranges);
  }

  get leader(): string | null {
    return this.leaderId;
  }

  get members(): string[] {
    return [...this.home.keys()];
  }

  /** Member starts tried again after a failure. */
  get startRetries(): number {
    return this.retries;
  }

  /** Forks the worker processes that host the group's members. */
  async startWorkers(count: number): Promise<void> {
    for (let i = 0; i < count; i++) this.workers.push(await this.fork(`w${i}`));
  }

  /** A worker process of its own, for a member that will be killed. */
  async startVictimProcess(name: string): Promise<WorkerProcess> {
    return this.fork(name);
  }

  private async fork(name: string): Promise<WorkerProcess> {
    const w = await WorkerProcess.start({
      name,
      workerPath: this.opts.workerPath,
      logFile: join(this.opts.logDir, `${name}.log`),
      settings: this.opts.settings,
      onEvents: (events) => this.apply(events),
      onFatal: (worker, error) => this.fail(`worker ${worker.name}: ${error}`),
    });
    this.all.add(w);
    void w.exited.then((how) => {
      this.all.delete(w);
      if (!this.expectedExits.has(w)) this.fail(`worker ${w.name} exited unexpectedly (${how}); see ${join(this.opts.logDir, `${w.name}.log`)}`);
    });
    return w;
  }

  /** Starts members spread round-robin over the workers; throws if any fails to start. */
  async startMembers(ids: string[]): Promise<void> {
    const perWorker = this.workers.map(() => [] as string[]);
    ids.forEach((id, i) => perWorker[i % this.workers.length]!.push(id));
    await Promise.all(perWorker.map((group, i) => (group.length ? this.startOn(this.workers[i]!, group) : undefined)));
  }

  /** Starts members on one worker (a main one by default: chosen by the member's position). */
  async startOn(worker: WorkerProcess, ids: string[]): Promise<void> {
    for (const id of ids) this.home.set(id, worker);
    const { failed, retries } = await worker.startMembers(ids);
    this.retries += retries;
    for (const f of failed) this.home.delete(f.id);
    if (failed.length) throw new Error(`${failed.length} member(s) failed to start, e.g. ${failed[0]!.id}: ${failed[0]!.error}`);
  }

  workerFor(index: number): WorkerProcess {
    return this.workers[index % this.workers.length]!;
  }

  async stopMember(id: string): Promise<void> {
    const w = this.home.get(id);
    if (!w) throw new Error(`no member ${id}`);
    this.home.delete(id);
    await w.stopMember(id);
  }

  /** SIGKILLs a victim's process: its members' sessions expire on the servers later. */
  kill(worker: WorkerProcess): void {
    this.expectedExits.add(worker);
    for (const [id, w] of this.home) if (w === worker) this.home.delete(id);
    worker.kill();
  }

  /** ZooKeeper read-reply bytes of every live member. */
  async sampleBytesRead(): Promise<Map<string, number>> {
    const parts = await Promise.all([...this.all].filter((w) => w.running && !this.expectedExits.has(w)).map((w) => w.sampleBytesRead()));
    const out = new Map<string, number>();
    for (const p of parts) for (const [id, n] of Object.entries(p)) out.set(id, n);
    return out;
  }

  /**
   * Resolves with the time of the event that completed convergence (see
   * ConvergenceTracker), or null when `timeoutMs` passed first. Call
   * `tracker.mark()` when the change begins.
   */
  waitConverged(wait: ConvergeWait): Promise<number | null> {
    if (this.failure) return Promise.reject(new Error(this.failure));
    return new Promise((resolve) => {
      const started = Date.now();
      const progress = setInterval(() => this.opts.log(`${wait.label}: ${Math.round((Date.now() - started) / 1000)} s, ${this.describe(waiter)}`), PROGRESS_EVERY_MS);
      const timer = setTimeout(() => done(null), wait.timeoutMs);
      const waiter: Waiter = { wait, resolve: (at) => done(at), moved: [], movedAt: -1 };
      const done = (at: number | null) => {
        clearInterval(progress);
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(at);
      };
      this.waiters.add(waiter);
      this.check();
    });
  }

  private apply(events: OwnershipEvent[]): void {
    const t = this.tracker;
    for (const e of events) {
      switch (e[0]) {
        case 'a': t.acquired(e[1], e[2], e[3]); break;
        case 'r': case 'l': t.released(e[1], e[2], e[3]); break;
        case 'p': t.published(e[2], e[4], e[3]); break;
        case 'L':
          if (e[2]) this.leaderId = e[1];
          else if (this.leaderId === e[1]) this.leaderId = null;
          break;
        case 's': break;
      }
    }
    this.check();
  }

  private check(): void {
    const t = this.tracker;
    const owners = t.currentOwners;
    if (this.waiters.size === 0 || !owners) return;
    for (const w of [...this.waiters]) {
      if (t.epoch > w.wait.after && w.wait.accept(owners) && this.pendingFor(w).length === 0) w.resolve(t.latestAt || preciseNow());
    }
  }

  /** The ranges a waiter still waits for (up to `limit`). */
  private pendingFor(w: Waiter, limit = 1): number[] {
    const t = this.tracker;
    if (!w.wait.movedFrom) return t.converged ? [] : t.pendingRanges(limit).map((p) => p.range);
    if (w.movedAt !== t.epoch) {
      w.moved = movedRanges(w.wait.movedFrom, t.currentOwners ?? []);
      w.movedAt = t.epoch;
    }
    const out: number[] = [];
    for (const r of w.moved) if (!t.heldByOwner(r) && out.push(r) >= limit) break;
    return out;
  }

  /** A progress line: what the waiter still waits for, naming a few stuck ranges (owner <- what the events say holds it). */
  private describe(w: Waiter): string {
    const t = this.tracker;
    if (t.epoch <= w.wait.after) return `waiting for an epoch above ${w.wait.after}`;
    const pending = this.pendingFor(w, Number.POSITIVE_INFINITY);
    const scope = w.wait.movedFrom ? `of ${w.moved.length} moved ` : '';
    const named = pending.slice(0, NAMED_PENDING).map((r) => `${r}: ${t.currentOwners?.[r] ?? null} <- ${t.holdersOf(r).join('+') || 'nobody'}`);
    return `epoch ${t.epoch}, ${pending.length} range(s) ${scope}not held by their owner yet${named.length ? ` (${named.join(', ')})` : ''}`;
  }

  private fail(error: string): void {
    this.failure ??= error;
    this.opts.log(`error: ${error}`);
    for (const w of [...this.waiters]) w.resolve(null);
  }

  /** Set when a worker failed: the run's figures cannot be trusted. */
  get failed(): string | null {
    return this.failure;
  }

  /** Ends every worker process (their sessions go with them). */
  async close(): Promise<void> {
    for (const w of this.all) this.expectedExits.add(w);
    await Promise.all([...this.all].map((w) => w.exit()));
  }

  /** For a signal handler: SIGKILL every worker at once. */
  killAll(): void {
    for (const w of this.all) {
      this.expectedExits.add(w);
      w.kill();
    }
  }
}
