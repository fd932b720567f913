// Child processes of a chaos run: pollers and coordinators of the `ringleader`
// CLI, each tied to us by a watchdog shell so that none outlives the run even
// when the run itself is SIGKILLed, plus one-shot CLI commands.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** dist/cli/main.js, next to dist/test/chaos/. */
export const CLI_JS = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
/** dist/test/chaos/recorder-handler.js. */
export const RECORDER_JS = fileURLToPath(new URL('./recorder-handler.js', import.meta.url));

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

const live = new Set<ChildProc>();

/** A long-running child with node control: kill, pause, resume, stop. */
export class ChildProc {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  readonly startedAt = Date.now();
  exit: Exit | undefined;
  paused = false;
  private readonly child: ChildProcess;
  private readonly watchdog: ChildProcess;

  constructor(
    readonly name: string,
    args: string[],
    opts: { logFile: string; env?: NodeJS.ProcessEnv },
  ) {
    const fd = openSync(opts.logFile, 'a');
    try {
      this.child = spawn(process.execPath, [CLI_JS, ...args], {
        stdio: ['ignore', fd, fd],
        env: { ...cleanEnv(), KAFKAJS_NO_PARTITIONER_WARNING: '1', ...opts.env },
      });
    } finally {
      closeSync(fd);
    }
    if (this.child.pid === undefined) throw new Error(`${name} did not start`);
    this.pid = this.child.pid;
    // If we die in any way, the pipe closes and the shell kills the child
    // (SIGCONT too, in case it was stopped).
    this.watchdog = spawn('sh', ['-c', `read _ignored; kill -9 ${this.pid} 2>/dev/null; kill -CONT ${this.pid} 2>/dev/null`], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    this.watchdog.unref();
    (this.watchdog.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
    live.add(this);
    this.exited = new Promise<Exit>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal, at: Date.now() };
        live.delete(this);
        this.watchdog.kill('SIGKILL');
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // gone already: the exit event follows
    }
  }

  kill(): Promise<Exit> {
    this.signal('SIGKILL');
    return this.exited;
  }

  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  /** SIGTERM (graceful drain), SIGKILL after timeoutMs. */
  async stop(timeoutMs: number): Promise<Exit> {
    if (this.paused) this.resume();
    this.signal('SIGTERM');
    const t = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(t);
    }
  }
}

/** SIGKILLs every child still running (synchronous: usable from an exit hook). */
export function killAllChildren(): void {
  for (const p of live) {
    p.signal('SIGKILL');
    p.signal('SIGCONT');
  }
}

export function liveChildren(): ChildProc[] {
  return [...live];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ringleader <args>` to completion (SIGKILLed after timeoutMs). */
/**
 * The chaos run passes every server on the command line: RINGLEADER_* from
 * the caller (e.g. the test setup's shared servers) must not leak into its
 * processes, since every CLI flag also reads its RINGLEADER_ variable.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RINGLEADER_')) delete env[k];
  return env;
}

export function runCli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
