/**
 * The parent's handle on one worker process of bench/scale.ts: forks it,
 * sends it commands and matches the replies, and routes its event batches.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { FromWorker, OwnershipEvent, ToWorker, WorkerSettings } from './scale-protocol.js';

type Waiter<T> = { resolve: (v: T) => void; reject: (err: Error) => void };

export interface StartOutcome {
  failed: { id: string; error: string }[];
  /** Starts tried again after a failure. */
  retries: number;
}

/** Node heap of a worker: 250 members x 16,384 range slots each is a few hundred MB. */
const WORKER_HEAP_MB = 6_144;

export class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly starts = new Map<string, Waiter<StartOutcome>>();
  private readonly stops = new Map<string, Waiter<void>>();
  private readonly samples = new Map<number, Waiter<Record<string, number>>>();
  private nextReq = 1;
  private exitInfo: string | null = null;
  readonly exited: Promise<string>;
  private readyWaiter: Waiter<void> | null = null;

  private constructor(
    readonly name: string,
    workerPath: string,
    logFile: string,
    private readonly onEvents: (events: OwnershipEvent[]) => void,
    private readonly onFatal: (worker: WorkerProcess, error: string) => void,
  ) {
    const fd = openSync(logFile, 'a');
    try {
      this.child = fork(workerPath, [], { execArgv: [`--max-old-space-size=${WORKER_HEAP_MB}`], stdio: ['ignore', fd, fd, 'ipc'] });
    } finally {
      closeSync(fd);
    }
    this.child.on('message', (m: FromWorker) => this.onMessage(m));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `code ${code}`;
        this.failAll(new Error(`worker ${name} exited (${this.exitInfo})`));
        resolve(this.exitInfo);
      });
    });
  }

  /** Forks a worker and waits until it has its settings. */
  static async start(opts: {
    name: string;
    workerPath: string;
    logFile: string;
    settings: WorkerSettings;
    onEvents: (events: OwnershipEvent[]) => void;
    onFatal: (worker: WorkerProcess, error: string) => void;
  }): Promise<WorkerProcess> {
    const w = new WorkerProcess(opts.name, opts.workerPath, opts.logFile, opts.onEvents, opts.onFatal);
    await new Promise<void>((resolve, reject) => {
      w.readyWaiter = { resolve, reject };
      w.send({ t: 'init', settings: opts.settings });
    });
    return w;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** Starts members; resolves with the ones that failed to start (after retries). */
  startMembers(ids: string[]): Promise<StartOutcome> {
    return new Promise((resolve, reject) => {
      this.starts.set(ids.join(','), { resolve, reject });
      this.send({ t: 'start', ids });
    });
  }

  /** Stops one member gracefully (ranges released, member node deleted, session closed). */
  stopMember(id: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stops.set(id, { resolve, reject });
      this.send({ t: 'stop', id });
    });
  }

  /** bytesRead of every member this worker hosts. */
  sampleBytesRead(): Promise<Record<string, number>> {
    const req = this.nextReq++;
    return new Promise((resolve, reject) => {
      this.samples.set(req, { resolve, reject });
      this.send({ t: 'sample', req });
    });
  }

  /** A crash: the members' sessions stay open on the servers until they expire. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** Asks the worker to exit (its sessions go with it), SIGKILL after `timeoutMs`. */
  async exit(timeoutMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.send({ t: 'exit' });
    const timer = setTimeout(() => this.kill(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private send(m: ToWorker): void {
    if (!this.running || !this.child.connected) throw new Error(`worker ${this.name} is not running (${this.exitInfo ?? 'disconnected'})`);
    this.child.send(m);
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'ready': this.readyWaiter?.resolve(); this.readyWaiter = null; break;
      case 'events': this.onEvents(m.events); break;
      case 'started': take(this.starts, m.ids.join(','))?.resolve({ failed: m.failed, retries: m.retries }); break;
      case 'stopped': {
        const w = take(this.stops, m.id);
        if (m.error) w?.reject(new Error(`stopping ${m.id}: ${m.error}`));
        else w?.resolve();
        break;
      }
      case 'sample': take(this.samples, m.req)?.resolve(m.bytesRead); break;
      case 'fatal': this.onFatal(this, m.error); break;
    }
  }

  private failAll(err: Error): void {
    this.readyWaiter?.reject(err);
    for (const map of [this.starts, this.stops, this.samples] as Map<unknown, Waiter<never>>[]) {
      for (const w of map.values()) w.reject(err);
      map.clear();
    }
  }
}

function take<K, V>(map: Map<K, V>, key: K): V | undefined {
  const v = map.get(key);
  map.delete(key);
  return v;
}
