// Child processes of the `ringleader` CLI for end-to-end tests: run a command
// to completion, or start long-lived pollers, read their pino logs, signal
// them, and make sure none outlives the test. Plain Node (no vitest import).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built CLI (`npx tsc -p tsconfig.build.json`). */
export const CLI = resolve(process.cwd(), 'dist/cli/main.js');
/** The recording handler module (see recording-handler.mjs). */
export const RECORDING_HANDLER = resolve(process.cwd(), 'test/support/recording-handler.mjs');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `ringleader <args>` to completion (killed after timeoutMs). */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: number; time?: number };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** A long-running CLI process (a poller) whose stderr is parsed as pino JSON lines. */
export class CliProc {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  stderr = '';
  stdout = '';
  exitInfo: Exit | null = null;
  readonly exited: Promise<Exit>;
  private partial = '';
  private readonly waiters = new Set<() => void>();

  constructor(readonly name: string, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString('utf8')));
    this.child.stderr!.on('data', (d: Buffer) => this.onStderr(d.toString('utf8')));
    this.exited = new Promise((r) => {
      this.child.on('close', (code, signal) => {
        this.exitInfo = { code, signal, at: Date.now() };
        this.notify();
        r(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  private onStderr(text: string): void {
    this.stderr += text;
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        // not JSON: kept in stderr only
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first log line matching `pred`; rejects on exit or timeout. */
  waitForLog(pred: (l: LogLine) => boolean, timeoutMs = 30_000, what = 'log line'): Promise<LogLine> {
    return new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const hit = this.logs.find(pred);
        if (hit) {
          done();
          resolvePromise(hit);
          return true;
        }
        if (!this.running) {
          done();
          reject(new Error(`${this.name} exited (${JSON.stringify(this.exitInfo)}) before ${what}; stderr tail: ${this.stderr.slice(-2000)}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; stderr tail: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(listener);
      };
      const listener = () => void check();
      if (!check()) this.waiters.add(listener);
    });
  }

  /** Waits until the process reports `poller started`. */
  started(timeoutMs = 60_000): Promise<LogLine> {
    return this.waitForLog((l) => l.msg === 'poller started', timeoutMs, '"poller started"');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** Exit within timeoutMs, else SIGKILL and reject. */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        reject(new Error(`${this.name} did not exit within ${timeoutMs} ms; stderr tail: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Every process a test starts; `stopAll()` in afterEach leaves none behind. */
export class ProcSet {
  private readonly procs: CliProc[] = [];

  start(name: string, args: string[], env: NodeJS.ProcessEnv = {}): CliProc {
    const p = new CliProc(name, args, env);
    this.procs.push(p);
    return p;
  }

  all(): CliProc[] {
    return [...this.procs];
  }

  /** SIGKILL whatever still runs and wait for every exit. */
  async stopAll(): Promise<void> {
    for (const p of this.procs) p.kill('SIGKILL');
    await Promise.all(this.procs.map((p) => p.exited));
    this.procs.length = 0;
  }
}

/** One call of the recording handler. */
export interface Record_ {
  poller: string;
  range: number;
  offset: number;
  key: string | null;
  id: number;
  seq: number;
  start: number;
  end: number;
  attempt: number;
  failed?: boolean;
}

/** The lines the recording handler wrote so far, in file (= handling) order. */
export function readRecords(file: string): Record_[] {
  if (!existsSync(file)) return [];
  const out: Record_[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('{')) {
      try {
        out.push(JSON.parse(line) as Record_);
      } catch {
        // a line being written right now
      }
    }
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs: number, what: string, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

export interface StatusJson {
  group: string;
  topic: string;
  ranges: number;
  epoch: number;
  leader: string | null;
  pollers: { id: string; state: string; ranges: number[] }[];
  assignment: { range: number; assigned: string | null; owner: string | null; committed: string | null; end?: string; lag?: number }[];
  converged: boolean;
}

/** `ringleader status --json` of a group. */
export async function status(zk: string, group: string, brokers?: string[]): Promise<StatusJson> {
  const r = await runCli(['status', '--zk', zk, '--group', group, '--json', ...(brokers ? ['--brokers', brokers.join(',')] : [])]);
  if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** Waits until the group is converged with exactly `ids` active, each holding at least one range. */
export function converged(zk: string, group: string, ids: string[], timeoutMs = 30_000): Promise<StatusJson> {
  return waitFor(
    async () => {
      const s = await status(zk, group);
      const active = s.pollers.filter((p) => p.state === 'active').map((p) => p.id).sort();
      const ok =
        s.converged &&
        JSON.stringify(active) === JSON.stringify([...ids].sort()) &&
        s.assignment.every((a) => a.owner !== null && ids.includes(a.owner)) &&
        ids.every((id) => s.assignment.some((a) => a.owner === id));
      return ok ? s : null;
    },
    timeoutMs,
    `group ${group} converged on ${ids.join(',')}`,
    200,
  );
}
