// The Node child processes of the tests and the chaos run: the `ringleader`
// CLI (pollers, coordinators, `watch`, one-shot commands) and the stand-in
// members, each a ControlledChild tied to us, so that none outlives the test
// or the run, even when we are SIGKILLed. Plain Node (no vitest import): the
// chaos run uses it from dist/.
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { ControlledChild, type Exit } from '../../infra/child-process.js';
import { CLI_JS } from './paths.js';

export type { Exit };

/** A JSON object printed as one line: a stand-in's event on stdout, a pino log line on stderr. */
export type JsonLine = Record<string, unknown> & { type?: string; msg?: string; level?: number; time?: number };

export interface NodeProcessOptions {
  /** For messages (default: the script's file name). */
  name?: string;
  /** Added to (or, with undefined values, removed from) our environment. */
  env?: NodeJS.ProcessEnv;
  /** Output to this file instead of being read (the chaos run's long runs). */
  logFile?: string;
  /** A command that runs node, e.g. `unshare --net --` (it must exec node in its own process: the pid is node's). */
  wrap?: string[];
  /** Node's own flags, before the script (e.g. `--import <module>`). */
  nodeArgs?: string[];
}

const running = new Set<NodeProcess>();

/**
 * `node <args>`. Unless it logs to a file, its output is read line by line:
 * all of it in `stdout`/`stderr`, and the JSON object lines in `lines`
 * (stdout) and `logs` (stderr, pino), which `waitLine`/`waitForLog` wait on.
 */
export class NodeProcess extends ControlledChild {
  stdout = '';
  stderr = '';
  readonly lines: JsonLine[] = [];
  readonly logs: JsonLine[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(args: string[], opts: NodeProcessOptions = {}) {
    super({
      name: opts.name ?? basename(args[0] ?? 'node'),
      command: opts.wrap?.[0] ?? process.execPath,
      args: [...(opts.wrap ? [...opts.wrap.slice(1), process.execPath] : []), ...(opts.nodeArgs ?? []), ...args],
      env: { ...process.env, ...opts.env },
      ...(opts.logFile ? { logFile: opts.logFile } : {}),
    });
    running.add(this);
    void this.exited.then(() => {
      running.delete(this);
      this.notify();
    });
    if (!this.pipes) return;
    readLines(this.pipes.stdout, (text) => (this.stdout += text), (line) => this.take(this.lines, line));
    readLines(this.pipes.stderr, (text) => (this.stderr += text), (line) => this.take(this.logs, line));
  }

  get name(): string {
    return this.spec.name;
  }

  /** The first JSON line of stdout (seen already or to come) that matches. Rejects when the process ends first or the time is up. */
  waitLine(pred: (l: JsonLine) => boolean, timeoutMs = 20_000, what = 'a line'): Promise<JsonLine> {
    return this.waitIn(this.lines, pred, timeoutMs, what);
  }

  /** The first pino log line (stderr) that matches, as `waitLine`. */
  waitForLog(pred: (l: JsonLine) => boolean, timeoutMs = 30_000, what = 'log line'): Promise<JsonLine> {
    return this.waitIn(this.logs, pred, timeoutMs, what);
  }

  /** A poller's `poller started` log line. */
  started(timeoutMs = 60_000): Promise<JsonLine> {
    return this.waitForLog((l) => l.msg === 'poller started', timeoutMs, '"poller started"');
  }

  /** The exit, if it comes within `timeoutMs`; else SIGKILL and reject. */
  async waitExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.signal('SIGKILL');
        reject(new Error(`${this.name} did not exit within ${timeoutMs} ms; ${this.tail()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private take(list: JsonLine[], line: string): void {
    if (line.startsWith('{')) {
      try {
        const v = JSON.parse(line) as unknown;
        if (v && typeof v === 'object' && !Array.isArray(v)) list.push(v as JsonLine);
      } catch {
        // not JSON after all: kept in the text only
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  private tail(): string {
    return `stdout tail: ${this.stdout.slice(-2000)}\nstderr tail: ${this.stderr.slice(-2000)}`;
  }

  private waitIn(list: JsonLine[], pred: (l: JsonLine) => boolean, timeoutMs: number, what: string): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const settled = (): boolean => {
        const hit = list.find(pred);
        if (hit) resolve(hit);
        else if (!this.running) reject(new Error(`${this.name} exited (${this.exitDescription}) before ${what}; ${this.tail()}`));
        else return false;
        done();
        return true;
      };
      const listener = () => void settled();
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.name}: no ${what} within ${timeoutMs} ms; ${this.tail()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(listener);
      };
      if (!settled()) this.waiters.add(listener);
    });
  }
}

/** Calls `onText` with every chunk and `onLine` with every complete line (the last one too, at the end). */
function readLines(stream: Readable, onText: (text: string) => void, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    onText(chunk);
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
  });
}

/** `ringleader <args>`, long-running. */
export function startCli(args: string[], opts: NodeProcessOptions = {}): NodeProcess {
  return new NodeProcess([CLI_JS, ...args], { name: args[0] ?? 'ringleader', ...opts });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node <args>` to completion (SIGKILLed after `timeoutMs`, default 60 s). */
export async function runNode(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  const started = Date.now();
  const p = new NodeProcess(args, opts.env ? { env: opts.env } : {});
  const timer = setTimeout(() => p.signal('SIGKILL'), opts.timeoutMs ?? 60_000);
  try {
    const exit = await p.exited;
    return { code: exit.code, signal: exit.signal, stdout: p.stdout, stderr: p.stderr, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `ringleader <args>` to completion, as `runNode`. */
export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return runNode([CLI_JS, ...args], opts);
}

/** Every NodeProcess still running. */
export function runningProcesses(): NodeProcess[] {
  return [...running];
}

/** SIGKILLs every NodeProcess still running (synchronous: usable from an exit hook). */
export function killAllProcesses(): void {
  for (const p of running) {
    p.signal('SIGKILL');
    p.signal('SIGCONT');
  }
}

/** The processes one test starts; `stopAll()` in afterEach leaves none behind. */
export class ProcSet {
  private readonly procs: NodeProcess[] = [];

  /** `ringleader <args>` as `name`, with `env` added to ours. */
  start(name: string, args: string[], env: NodeJS.ProcessEnv = {}): NodeProcess {
    const p = startCli(args, { name, env });
    this.procs.push(p);
    return p;
  }

  /** SIGKILL whatever still runs and wait for every exit. */
  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => p.kill()));
    this.procs.length = 0;
  }
}
