// Helpers for the coordinator integration tests: child processes that print
// JSON lines, polling waits, and expiring a ZooKeeper session on purpose.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import { repoRoot } from '../../infra/paths.js';
import type { ZkSession } from '../../coordinator/index.js';

export const CLI = join(repoRoot(), 'dist', 'cli', 'main.js');
export const STANDIN_MEMBER = join(repoRoot(), 'dist', 'test', 'support', 'standin-member.js');

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns a truthy value (returned) or the time is up (throws with `what`). */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 50): Promise<Truthy<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(everyMs);
  }
}

export type Line = Record<string, unknown> & { type?: string };

/** A node child process whose stdout is JSON lines (non-JSON lines are kept as text). */
export class JsonLinesProcess {
  readonly proc: ChildProcess;
  readonly lines: Line[] = [];
  readonly text: string[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private buf = '';
  private readonly waiters = new Set<() => void>();

  constructor(args: string[], env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buf += chunk;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.text.push(line);
        try {
          const v = JSON.parse(line) as unknown;
          if (v && typeof v === 'object' && !Array.isArray(v)) this.lines.push(v as Line);
        } catch {
          /* not JSON: kept in text */
        }
        for (const w of this.waiters) w();
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (c: string) => {
      this.stderr = (this.stderr + c).slice(-20_000);
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves with the first line (already seen or future) matching `pred`. */
  waitLine(pred: (l: Line) => boolean, timeoutMs = 20_000, what = 'a line'): Promise<Line> {
    const found = this.lines.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const l = this.lines.find(pred);
        if (l) {
          clearTimeout(t);
          this.waiters.delete(check);
          resolve(l);
        }
      };
      const t = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; stdout: ${this.text.slice(-20).join('\n')}\nstderr: ${this.stderr.slice(-3000)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.proc.kill(sig);
  }

  /** SIGKILL (after SIGCONT, in case it is stopped) and wait for the exit. Idempotent. */
  async kill(): Promise<void> {
    if (this.running) {
      this.proc.kill('SIGCONT');
      this.proc.kill('SIGKILL');
    }
    await this.exited;
  }
}

/** Runs a short-lived command to completion. */
export function runNode(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    p.once('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Makes the server expire `zk`'s current session, as if the process had been
 * silent for a session timeout: a second client attaches to the same session
 * (id + password) and closes it. Resolves when the owner has seen `expired`.
 *
 * Attaching kicks the owner's connection, and the owner reconnects at once
 * (node-zookeeper-client does not wait before retrying a server it was just
 * connected to): when it gets back before the close lands, the close is lost
 * with the second client's connection. That race is lost one time in a few,
 * sometimes several times in a row, so this tries again every half second.
 * If the close lands while the owner's connection survives it, the server
 * drops the owner's requests unanswered and ZkSession finds out after its read
 * timeout.
 */
export async function expireSession(zk: ZkSession, connect: string, withinMs = 20_000): Promise<void> {
  let expired = false;
  const onState = (s: { type: string }) => {
    if (s.type === 'expired') expired = true;
  };
  zk.on('state', onState);
  const until = Date.now() + withinMs;
  let attempts = 0;
  try {
    while (!expired && Date.now() < until) {
      attempts++;
      await closeSessionFromOutside(zk, connect);
      const next = Math.min(until, Date.now() + 500);
      while (!expired && Date.now() < next) await sleep(20);
    }
  } finally {
    zk.off('state', onState);
  }
  if (!expired) throw new Error(`could not expire session ${zk.sessionId} in ${withinMs} ms (${attempts} attempts)`);
}

async function closeSessionFromOutside(zk: ZkSession, connect: string): Promise<void> {
  const own = (zk as unknown as { client: Client | null }).client;
  if (!own) throw new Error('session not started');
  const intruder = zookeeper.createClient(connect, {
    sessionTimeout: zk.sessionTimeoutMs,
    sessionId: own.getSessionId(),
    sessionPassword: own.getSessionPassword(),
  } as unknown as Parameters<typeof zookeeper.createClient>[1]);
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('could not attach to the session to expire it')), 10_000);
      intruder.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
      intruder.once('expired', () => {
        clearTimeout(t);
        resolve();
      });
      intruder.connect();
    });
  } finally {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3_000);
      intruder.once('disconnected', () => {
        clearTimeout(t);
        resolve();
      });
      intruder.close();
    });
  }
}
