/**
 * Scaling and sidecar cost: n pollers as separate processes
 * (`node dist/cli/main.js poller ...`) over the preloaded topic, each n with a
 * fresh group (so it starts from the beginning).
 *
 * Measured over a window: once every poller is a member and every range is
 * leased by its assigned poller (converged), the handled counters of all
 * pollers (their /metrics) are read, read again after `windowMs` (or earlier,
 * when 85% of the topic is consumed, so no poller runs dry inside the
 * window), and the rate is the difference over the elapsed time. Start-up,
 * joins and range moves are thus outside the window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { readGroupSnapshot, type ZkSession } from '../coordinator/index.js';
import { createGroup, deleteGroup, log, sleep } from './throughput-env.js';

export interface ScalingRunOptions {
  zk: ZkSession;
  zkConnect: string;
  brokers: string[];
  topic: string;
  ranges: number;
  messages: number;
  pollers: number;
  concurrency: number;
  /** Poller-wide cap on handler calls in flight (--max-in-flight). */
  maxInFlight?: number;
  /** Either a handler module or a sidecar URL. */
  handler?: string;
  forward?: string;
  windowMs: number;
  cliPath: string;
  logDir: string;
  /** Extra node flags for the poller processes (e.g. --cpu-prof). */
  nodeArgs?: string[];
  convergeTimeoutMs?: number;
}

export interface ScalingResult {
  pollers: number;
  rate: number;
  windowMs: number;
  handledInWindow: number;
  convergeMs: number;
  /** Handled before the window opened (start-up and range moves). */
  handledBefore: number;
}

interface Child {
  id: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/** Every poller process still running, so a signal to the benchmark can stop them. */
const live = new Set<ChildProcess>();

export function killAllPollers(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const p of live) p.kill(signal);
}

function startPoller(o: ScalingRunOptions, group: string, id: string): Child {
  const args = [
    ...(o.nodeArgs ?? []),
    o.cliPath,
    'poller',
    '--zk', o.zkConnect,
    '--group', group,
    '--brokers', o.brokers.join(','),
    '--topic', o.topic,
    '--id', id,
    '--concurrency', String(o.concurrency),
    // Each poller is a worker of fixed capacity (as a sidecar or a process
    // with a connection pool would be): without this cap one poller already
    // runs R x concurrency handlers and more pollers add nothing to scale.
    ...(o.maxInFlight ? ['--max-in-flight', String(o.maxInFlight)] : []),
    '--metrics-port', '0',
    '--drain-timeout', '5000',
    '--log-level', 'warn',
    ...(o.handler ? ['--handler', o.handler] : []),
    ...(o.forward ? ['--forward', o.forward] : []),
  ];
  mkdirSync(o.logDir, { recursive: true });
  const out = createWriteStream(join(o.logDir, `${group}-${id}.log`));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  proc.stdout?.pipe(out);
  proc.stderr?.pipe(out);
  live.add(proc);
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      live.delete(proc);
      resolve(code);
    }),
  );
  return { id, proc, exited };
}

async function stopPollers(children: Child[]): Promise<void> {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGTERM');
  const all = Promise.all(children.map((c) => c.exited));
  const t = setTimeout(() => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  }, 15_000);
  await all;
  clearTimeout(t);
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

async function handledOf(metricsUrl: string): Promise<number> {
  const text = await httpGet(`${metricsUrl}/metrics`);
  const m = /^ringleader_messages_handled_total(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

async function totalHandled(urls: string[]): Promise<number> {
  const counts = await Promise.all(urls.map(handledOf));
  return counts.reduce((a, b) => a + b, 0);
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-8).join('\n');
  } catch {
    return '';
  }
}

export async function runScaling(o: ScalingRunOptions): Promise<ScalingResult> {
  const group = `bench-scale-${o.pollers}-${randomBytes(3).toString('hex')}`;
  const paths = await createGroup(o.zk, group, o.topic, o.ranges);
  const children: Child[] = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < o.pollers; i++) children.push(startPoller(o, group, `p${i}`));
    const failed = Promise.race(
      children.map((c) => c.exited.then((code) => ({ id: c.id, code }))),
    );
    let early: { id: string; code: number | null } | null = null;
    void failed.then((f) => (early = f));

    // Converged: all n pollers are members with a metrics URL, and every range
    // is leased by the poller it is assigned to, spread over all n.
    let urls: string[] = [];
    const deadline = Date.now() + (o.convergeTimeoutMs ?? 60_000);
    for (;;) {
      if (early) {
        const e = early as { id: string; code: number | null };
        throw new Error(`poller ${e.id} exited (code ${e.code}):\n${tail(join(o.logDir, `${group}-${e.id}.log`))}`);
      }
      const snap = await readGroupSnapshot(o.zk, paths);
      const owners = new Set(snap.assignment.map((r) => r.owner));
      const members = snap.pollers.filter((p) => p.state === 'active' && p.metricsUrl);
      if (
        members.length === o.pollers &&
        snap.converged &&
        snap.assignment.every((r) => r.owner !== null) &&
        owners.size === Math.min(o.pollers, o.ranges)
      ) {
        urls = members.map((p) => p.metricsUrl!);
        break;
      }
      if (Date.now() > deadline) throw new Error(`pollers did not converge within ${o.convergeTimeoutMs ?? 60_000} ms`);
      await sleep(50);
    }
    const convergeMs = performance.now() - t0;
    const c0 = await totalHandled(urls);
    const w0 = performance.now();
    const cap = Math.floor(o.messages * 0.85);
    let c1 = c0;
    let w1 = w0;
    for (;;) {
      await sleep(Math.min(500, o.windowMs));
      c1 = await totalHandled(urls);
      w1 = performance.now();
      if (w1 - w0 >= o.windowMs || c1 >= cap) break;
    }
    if (c1 >= cap && w1 - w0 < o.windowMs) {
      log(`  n=${o.pollers}: window cut to ${Math.round(w1 - w0)} ms (85% of the topic consumed)`);
    }
    if (c0 >= cap) throw new Error(`n=${o.pollers}: ${c0} of ${o.messages} already consumed before convergence; preload more messages`);
    const rate = ((c1 - c0) * 1000) / (w1 - w0);
    return { pollers: o.pollers, rate, windowMs: w1 - w0, handledInWindow: c1 - c0, convergeMs, handledBefore: c0 };
  } finally {
    await stopPollers(children);
    await deleteGroup(o.zk, group).catch(() => undefined);
  }
}

/** A local HTTP sidecar that answers 200 at once (reads and discards the body). */
export async function startOkServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/messages`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
