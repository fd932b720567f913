import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { POLLER_ENV, RECORDS_ENV } from './record-format.js';

export interface PollerProcessOptions {
  id: string;
  zk: string;
  brokers: string[];
  group: string;
  topic: string;
  sessionTimeoutMs: number;
  drainTimeoutMs: number;
  /** This poller's append-only records file. */
  recordsFile: string;
  /** stdout and stderr (pino JSON) of the poller go here. */
  logFile: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const mainJs = fileURLToPath(new URL('../main.js', import.meta.url));
const handlerJs = fileURLToPath(new URL('./record-handler.js', import.meta.url));

/**
 * One `ringleader poller` child process of the demo. A watchdog shell holds a
 * pipe to us and SIGKILLs the poller if the demo dies in any way, so no
 * poller can outlive it, even when the demo itself is killed with SIGKILL.
 */
export class PollerProcess {
  readonly id: string;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private readonly watchdog: ChildProcess;

  constructor(readonly options: PollerProcessOptions) {
    this.id = options.id;
    const args = [
      mainJs, 'poller',
      '--zk', options.zk,
      '--brokers', options.brokers.join(','),
      '--group', options.group,
      '--topic', options.topic,
      '--id', options.id,
      '--handler', handlerJs,
      '--session-timeout', String(options.sessionTimeoutMs),
      '--drain-timeout', String(options.drainTimeoutMs),
    ];
    const fd = openSync(options.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, [RECORDS_ENV]: options.recordsFile, [POLLER_ENV]: options.id, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`poller ${options.id} did not start`);
    this.pid = child.pid;
    this.watchdog = spawn('sh', ['-c', `read _ignored; kill -9 ${child.pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] });
    this.watchdog.unref();
    (this.watchdog.stdin as NodeJS.WritableStream & { unref?: () => void } | null)?.unref?.();
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        this.watchdog.kill('SIGKILL');
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** "running", "code 0" or "signal SIGKILL". */
  get exitDescription(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `code ${this.exit.code}`;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Already gone; the exit event follows.
    }
  }

  /** kill -9: a crash, no chance to release leases or commit. */
  kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (a graceful drain), then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<Exit> {
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
