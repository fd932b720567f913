// ControlledChild with real processes (no servers): node control, and the
// promise that a tied child never outlives us, even when we are SIGKILLed.
// The last test runs a parent from dist/ (npm test builds it first).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlledChild } from './child-process.js';

const SLEEPER = `process.on('SIGTERM', () => { console.log('term'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);`;
const DIST_MODULE = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'infra', 'child-process.js');

let dir = '';
const strays: number[] = [];
afterEach(() => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function logFile(name: string): string {
  if (!dir) dir = mkdtempSync(join(tmpdir(), 'rl-child-'));
  return join(dir, `${name}.log`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function sleeper(name: string): ControlledChild {
  const c = new ControlledChild({ name, command: process.execPath, args: ['-e', SLEEPER], logFile: logFile(name) });
  strays.push(c.pid);
  return c;
}

describe('ControlledChild', () => {
  it('stop() on a paused child resumes it, so its SIGTERM handler runs and it exits cleanly', async () => {
    const c = sleeper('paused');
    await until('the child to start', () => readFileSync(logFile('paused'), 'utf8').includes('up'));
    c.pause();
    expect(c.paused).toBe(true);
    await until('the child to be stopped', () => /\) T /.test(readFileSync(`/proc/${c.pid}/stat`, 'utf8')));
    const exit = await c.stop(10_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(c.paused).toBe(false);
    expect(c.running).toBe(false);
    expect(c.exitDescription).toBe('code 0');
    expect(readFileSync(logFile('paused'), 'utf8')).toContain('term');
  });

  it('kill() is a crash (SIGKILL); signals after the exit are ignored', async () => {
    const c = sleeper('killed');
    expect(c.exitDescription).toBe('running');
    const exit = await c.kill();
    expect(exit.signal).toBe('SIGKILL');
    expect(c.exitDescription).toBe('signal SIGKILL');
    expect(() => c.signal('SIGTERM')).not.toThrow();
    expect(await c.stop(1_000)).toBe(exit);
  });

  it('without a log file, the output comes through pipes and the exit waits for its last line', async () => {
    const c = new ControlledChild({ name: 'piped', command: process.execPath, args: ['-e', `console.log('out'); console.error('err'); process.exit(3);`] });
    strays.push(c.pid);
    let out = '';
    let err = '';
    c.pipes!.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    c.pipes!.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    expect(await c.exited).toMatchObject({ code: 3, signal: null });
    expect(out).toBe('out\n');
    expect(err).toBe('err\n');
  });

  it('a tied child dies with its parent even when the parent is SIGKILLed; a detached one lives on', async () => {
    expect(existsSync(DIST_MODULE), `${DIST_MODULE} (npm run build)`).toBe(true);
    const script = [
      `import { ControlledChild } from ${JSON.stringify(pathToFileURL(DIST_MODULE).href)};`,
      `const spec = (name, detached) => ({ name, command: process.execPath, args: ['-e', ${JSON.stringify(SLEEPER)}], logFile: ${JSON.stringify(logFile('parent'))}, detached });`,
      `const tied = new ControlledChild(spec('tied', false));`,
      `const detached = new ControlledChild(spec('detached', true));`,
      `console.log(JSON.stringify({ tied: tied.pid, detached: detached.pid }));`,
      `setInterval(() => {}, 1000);`,
    ].join('\n');
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    strays.push(parent.pid!);
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout!.on('data', (d: Buffer) => {
        out += d.toString('utf8');
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      parent.once('exit', (code) => reject(new Error(`parent exited early (${code})`)));
    });
    const pids = JSON.parse(line) as { tied: number; detached: number };
    strays.push(pids.tied, pids.detached);
    expect(alive(pids.tied)).toBe(true);

    parent.kill('SIGKILL');
    await until('the tied child to die with its parent', () => !alive(pids.tied), 5_000);
    expect(alive(pids.detached)).toBe(true);
  });
});
