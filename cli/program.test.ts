import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { CommanderError, type Command } from 'commander';
import { buildProgram, runProgram } from './program.js';
import { envName } from './options.js';

/** Parses without running actions: every subcommand's action is replaced by a recorder. */
function parse(argv: string[]): { command: string; opts: Record<string, unknown>; args: unknown[] } {
  const program = buildProgram();
  let seen: { command: string; opts: Record<string, unknown>; args: unknown[] } | null = null;
  program.exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const cmd of program.commands as Command[]) {
    cmd.exitOverride();
    cmd.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    cmd.action((...a: unknown[]) => {
      const c = a[a.length - 1] as Command;
      seen = { command: c.name(), opts: c.opts(), args: a.slice(0, -2) };
    });
  }
  program.parse(['node', 'ringleader', ...argv]);
  if (!seen) throw new Error('no command ran');
  return seen;
}

function failure(argv: string[]): CommanderError {
  try {
    parse(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err;
    throw err;
  }
  throw new Error('expected a parse error');
}

const savedEnv = { ...process.env };
beforeEach(() => {
  for (const k of Object.keys(process.env)) if (k.startsWith('RINGLEADER_')) delete process.env[k];
});
afterEach(() => {
  process.env = { ...savedEnv };
});

describe('ringleader CLI flags', () => {
  it('turns poller flags into typed options with the documented defaults', () => {
    const { opts } = parse(['poller', '--zk', '127.0.0.1:2181', '--group', 'g', '--brokers', 'a:9092,b:9093', '--topic', 'orders']);
    expect(opts).toMatchObject({
      zk: '127.0.0.1:2181',
      group: 'g',
      brokers: ['a:9092', 'b:9093'],
      topic: 'orders',
      concurrency: 1,
      maxAttempts: 5,
      commitInterval: 100,
      settle: 200,
      coordinator: true,
      from: 'earliest',
      weight: 1,
    });
    expect(parse(['poller', '--zk', 'h:1', '--group', 'g', '--brokers', 'a:1', '--topic', 't', '--no-coordinator']).opts.coordinator).toBe(false);
  });

  it('reads every flag from RINGLEADER_* variables', () => {
    process.env.RINGLEADER_ZK = '127.0.0.1:2181/chroot';
    process.env.RINGLEADER_GROUP = 'g2';
    process.env.RINGLEADER_BROKERS = 'k:9092';
    process.env.RINGLEADER_TOPIC = 't2';
    process.env.RINGLEADER_CONCURRENCY = '8';
    const { opts } = parse(['poller']);
    expect(opts).toMatchObject({ zk: '127.0.0.1:2181/chroot', group: 'g2', brokers: ['k:9092'], topic: 't2', concurrency: 8 });
    expect(envName('--session-timeout')).toBe('RINGLEADER_SESSION_TIMEOUT');
  });

  it('rejects bad input with exit code 2', () => {
    expect(failure(['poller', '--group', 'g', '--brokers', 'a:1', '--topic', 't']).message).toMatch(/--zk/);
    expect(failure(['poller', '--zk', 'nope', '--group', 'g', '--brokers', 'a:1', '--topic', 't']).message).toMatch(/host:port/);
    expect(failure(['poller', '--zk', 'h:1', '--group', 'g', '--brokers', 'a:1', '--topic', 't', '--concurrency', '0']).message).toMatch(/from 1/);
    expect(failure(['poller', '--zk', 'h:1', '--group', 'g', '--brokers', 'a:1', '--topic', 't', '--forward', 'ftp://x']).message).toMatch(/http/);
    expect(failure(['poller', '--zk', 'h:1', '--group', 'g', '--brokers', 'a:1', '--topic', 't', '--handler', 'h.js', '--forward', 'http://x']).message).toMatch(/cannot be used with/);
    expect(failure(['create', '--zk', 'h:1', '--group', 'g/x', '--topic', 't', '--ranges', '4']).message).toMatch(/--group/);
    expect(failure(['create', '--zk', 'h:1', '--group', 'g', '--topic', 't', '--ranges', '0']).message).toMatch(/ranges|from 1/);
    expect(failure(['bogus']).exitCode).not.toBe(0);
  });

  it('parses drain, status, watch and produce', () => {
    expect(parse(['drain', '--zk', 'h:1', '--group', 'g', 'p7'])).toMatchObject({ command: 'drain', args: ['p7'] });
    expect(parse(['status', '--zk', 'h:1', '--group', 'g', '--json']).opts).toMatchObject({ json: true });
    expect(parse(['watch', '--zk', 'h:1', '--group', 'g', '--json', '--duration', '500']).opts).toMatchObject({ json: true, duration: 500 });
    expect(parse(['produce', '--brokers', 'k:1', '--topic', 't', '--count', '10', '--rate', '5']).opts).toMatchObject({ count: 10, rate: 5, keys: 100, size: 200 });
  });
});

describe('ringleader exit codes', () => {
  /** Runs a command line with stdout and stderr captured. */
  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
    try {
      return { code: await runProgram(['node', 'ringleader', ...argv]), out, err };
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }

  it('exits 0 for help and version, 2 for bad flags', async () => {
    expect((await run(['--version'])).code).toBe(0);
    expect(await run(['status', '--help'])).toMatchObject({ code: 0, out: expect.stringContaining('Usage: ringleader status') });
    expect(await run(['bogus'])).toMatchObject({ code: 2, err: "error: unknown command 'bogus'\n" });
    expect((await run(['status'])).code).toBe(2);
  });

  it("prints an action's CliError as one line and exits with its code", async () => {
    const { code, err } = await run(['status', '--zk', '127.0.0.1:1', '--group', 'g', '--zk-auth-file', '/nonexistent/zk-auth']);
    expect(code).toBe(2);
    expect(err).toBe('ringleader: cannot read ZooKeeper credentials from /nonexistent/zk-auth: ENOENT\n');
  });
});
