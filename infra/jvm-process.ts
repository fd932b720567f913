import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { requireTool } from './tools.js';

export interface JvmSpec {
  /** For logs: "zookeeper-1", "kafka". */
  name: string;
  libDir: string;
  mainClass: string;
  args: string[];
  jvmOptions: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  /**
   * true: a new session, left running when this process exits (`infra up`).
   * false: tied to this process; a watchdog SIGKILLs the JVM if we die, even by SIGKILL.
   */
  detached: boolean;
  logger: Logger;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const attached = new Set<JvmProcess>();
const live = new Set<JvmProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort for a normal exit; the watchdogs cover the rest.
  process.on('exit', () => {
    for (const p of attached) p.signal('SIGKILL');
  });
}

/** One JVM with node control for fault tests: stop, kill, pause, resume. */
export class JvmProcess {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;
  private paused = false;
  private watchdog: ChildProcess | undefined;

  private constructor(
    readonly spec: JvmSpec,
    private readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${spec.name}: java did not start`);
    this.pid = child.pid;
    this.exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        attached.delete(this);
        live.delete(this);
        this.watchdog?.kill('SIGKILL');
        resolve(this.exit);
      });
    });
  }

  static start(spec: JvmSpec): JvmProcess {
    requireTool('java');
    const fd = openSync(spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn('java', [...spec.jvmOptions, '-cp', join(spec.libDir, '*'), spec.mainClass, ...spec.args], {
        stdio: ['ignore', fd, fd],
        detached: spec.detached,
      });
    } finally {
      closeSync(fd);
    }
    const proc = new JvmProcess(spec, child);
    live.add(proc);
    if (spec.detached) {
      child.unref();
    } else {
      installExitHook();
      attached.add(proc);
      proc.watchdog = startWatchdog(proc.pid);
    }
    spec.logger.debug({ name: spec.name, pid: proc.pid, logFile: spec.logFile }, 'jvm started');
    return proc;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get exitStatus(): Exit | undefined {
    return this.exit;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Already gone: the exit event will follow.
    }
  }

  /** SIGTERM (clean shutdown), then SIGKILL if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<Exit> {
    if (!this.running) return this.exit as Exit;
    this.signal('SIGTERM');
    // A stopped JVM would hold the SIGTERM pending forever.
    if (this.paused) this.resume();
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: a crash, with no chance to close sessions or flush. */
  async kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  /** SIGSTOP: the process keeps its sockets but stops answering (a zombie). */
  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }
}

/**
 * SIGKILLs every JVM this process started and that still runs, detached ones
 * included: for a CLI interrupted halfway through `up`, so nothing is left behind.
 */
export function killEverythingStarted(): void {
  for (const p of live) p.signal('SIGKILL');
}

/**
 * A tiny shell that waits for EOF on a pipe only we hold, then SIGKILLs the
 * JVM. If this Node process dies in any way the pipe closes, so the JVM cannot
 * outlive us (Node cannot set PR_SET_PDEATHSIG itself).
 */
function startWatchdog(pid: number): ChildProcess {
  const dog = spawn('sh', ['-c', `read _ignored; kill -9 ${pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  dog.unref();
  const stdin = dog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null;
  stdin?.unref?.();
  return dog;
}
