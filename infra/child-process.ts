import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** When the exit was seen (ms since the epoch). */
  at: number;
}

export interface ChildSpec {
  /** For messages: "zookeeper-1", "p3", "coord-1". */
  name: string;
  command: string;
  args: string[];
  /**
   * stdout and stderr are appended here. Without one they are pipes, read
   * through `ControlledChild.pipes` (tests parse their lines).
   */
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * true: a new session, left running when this process exits (`infra up`).
   * false (default): tied to this process; a watchdog SIGKILLs the child if
   * we die in any way, even by SIGKILL.
   */
  detached?: boolean;
}

/**
 * A long-running child process with the node control that fault tests need:
 * kill (a crash), pause/resume (a zombie that keeps its sockets), stop (a
 * clean shutdown). The servers, the demo's pollers, the chaos run's
 * pollers and coordinators and the tests' processes are all one of these.
 */
export class ControlledChild {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  readonly startedAt = Date.now();
  private exitInfo: Exit | undefined;
  private stopped = false;
  private readonly watchdog: ChildProcess | undefined;
  /** The child's output when the spec names no log file (null otherwise). */
  readonly pipes: { stdout: Readable; stderr: Readable } | null;

  constructor(readonly spec: ChildSpec) {
    const fd = spec.logFile === undefined ? undefined : openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      const output = fd ?? 'pipe';
      child = spawn(spec.command, spec.args, { stdio: ['ignore', output, output], detached: spec.detached ?? false, ...(spec.env ? { env: spec.env } : {}) });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`${spec.name}: ${spec.command} did not start`);
    this.pid = child.pid;
    this.pipes = child.stdout && child.stderr ? { stdout: child.stdout, stderr: child.stderr } : null;
    if (spec.detached) child.unref();
    else this.watchdog = startWatchdog(this.pid);
    this.exited = new Promise<Exit>((resolve) => {
      const ended = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo = { code, signal, at: Date.now() };
        this.watchdog?.kill('SIGKILL');
        resolve(this.exitInfo);
      };
      // With pipes the exit counts once the output has been read to the end,
      // so a reader never misses the last lines of a child that has exited.
      if (fd === undefined) child.once('close', ended);
      else child.once('exit', ended);
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): Exit | undefined {
    return this.exitInfo;
  }

  /** SIGSTOPped by `pause()` and not resumed since. */
  get paused(): boolean {
    return this.stopped;
  }

  /** "running", "code 0" or "signal SIGKILL". */
  get exitDescription(): string {
    if (!this.exitInfo) return 'running';
    return this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Already gone: the exit event follows.
    }
  }

  /** SIGKILL: a crash, with no chance to release, commit or flush. */
  kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGSTOP: the process keeps its sockets but stops answering (a zombie). */
  pause(): void {
    this.signal('SIGSTOP');
    this.stopped = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.stopped = false;
  }

  /** SIGTERM (a clean shutdown), then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs: number): Promise<Exit> {
    if (this.exitInfo) return this.exitInfo;
    this.signal('SIGTERM');
    // A stopped process would hold the SIGTERM pending forever.
    if (this.stopped) this.resume();
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A tiny shell that waits for EOF on a pipe only we hold, then SIGKILLs the
 * child. If this Node process dies in any way the pipe closes, so the child
 * cannot outlive us (Node cannot set PR_SET_PDEATHSIG itself).
 */
function startWatchdog(pid: number): ChildProcess {
  const dog = spawn('sh', ['-c', `read _ignored; kill -9 ${pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'] });
  dog.unref();
  (dog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  return dog;
}
