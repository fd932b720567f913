/**
 * All simulated members of one bench/scale.ts run: the worker processes that
 * host them, which member lives where, and what their events say about the
 * group (leader, latest epoch, who holds which lease).
 */
import { join } from 'node:path';
import { ConvergenceTracker } from './scale-convergence.js';
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
  timeoutMs: number;
  label: string;
}

interface Waiter {
  wait: ConvergeWait;
  resolve: (at: number | null) => void;
}

const PROGRESS_EVERY_MS = 5_000;
/** A few stuck ranges are named in progress lines (owner <- what the events say holds it). */
const NAMED_PENDING = 5;

function describePending(t: ConvergenceTracker): string {
  if (t.pending === 0 || t.pending > NAMED_PENDING) return '';
  const named = t.pendingRanges(NAMED_PENDING).map((p) => `${p.range}: ${p.owner} <- ${p.holders.join('+') || 'nobody'}`);
  return ` (${named.join(', ')})`;
}

export class Fleet {
  readonly tracker: ConvergenceTracker;
  private readonly workers: WorkerProcess[] = [];
  private readonly all = new Set<WorkerProcess>();
  private readonly home = new Map<string, WorkerProcess>();
  private readonly waiters = new Set<Waiter>();
  private readonly expectedExits = new Set<WorkerProcess>();
  private leaderId: string | null = null;
  private failure: string | null = null;

  constructor(private readonly opts: FleetOptions) {
    this.tracker = new ConvergenceTracker(opts.ranges);
  }

  get leader(): string | null {
    return this.leaderId;
  }

  get members(): string[] {
    return [...this.home.keys()];
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
    const failed = await worker.startMembers(ids);
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
      const progress = setInterval(() => {
        const t = this.tracker;
        const state = t.epoch > wait.after ? `epoch ${t.epoch}, ${t.pending} range(s) not held by their owner yet${describePending(t)}` : `waiting for an epoch above ${wait.after}`;
        this.opts.log(`${wait.label}: ${Math.round((Date.now() - started) / 1000)} s, ${state}`);
      }, PROGRESS_EVERY_MS);
      const timer = setTimeout(() => done(null), wait.timeoutMs);
      const waiter: Waiter = { wait, resolve: (at) => done(at) };
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
    if (this.waiters.size === 0 || !this.tracker.converged) return;
    const owners = this.tracker.currentOwners!;
    for (const w of [...this.waiters]) {
      if (this.tracker.epoch > w.wait.after && w.wait.accept(owners)) w.resolve(this.tracker.latestAt || preciseNow());
    }
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
