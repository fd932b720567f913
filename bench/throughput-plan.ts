/**
 * What a throughput run will do: its flags, the sizes they imply (--quick
 * picks a smaller run), the built files it needs and where its poller logs
 * and profiles go.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../infra/index.js';

export interface ThroughputArgs {
  json: boolean;
  quick: boolean;
  profile: boolean;
  ownServers: boolean;
  messages?: number;
  windowMessages?: number;
  reps?: number;
  rounds?: number;
  windowMs?: number;
  pollers?: number[];
}

export function parseArgs(argv: string[]): ThroughputArgs {
  const a: ThroughputArgs = { json: false, quick: false, profile: false, ownServers: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${arg} needs a value`);
      return v;
    };
    const int = () => {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < 1) usage(`${arg} needs a positive integer`);
      return n;
    };
    switch (arg) {
      case '--json': a.json = true; break;
      case '--quick': a.quick = true; break;
      case '--profile': a.profile = true; break;
      case '--own-servers': a.ownServers = true; break;
      case '--messages': a.messages = int(); break;
      case '--window-messages': a.windowMessages = int(); break;
      case '--reps': a.reps = int(); break;
      case '--rounds': a.rounds = int(); break;
      case '--window': a.windowMs = int(); break;
      case '--pollers': a.pollers = value().split(',').map(Number); break;
      case '-h': case '--help':
        process.stdout.write('usage: bench:throughput [--json] [--quick] [--profile] [--own-servers] [--messages N] [--window-messages N] [--reps N] [--rounds N] [--window ms] [--pollers 1,2,4,8]\n');
        process.exit(0);
        break;
      default: usage(`unknown argument ${arg}`);
    }
  }
  if (a.pollers && !a.pollers.every((n) => Number.isSafeInteger(n) && n >= 1 && n <= 32)) usage('--pollers: integers 1..32');
  return a;
}

function usage(msg: string): never {
  process.stderr.write(`error: ${msg}\n`);
  process.exit(2);
}

export interface ThroughputPlan {
  args: ThroughputArgs;
  messages: number;
  /** Messages in each consumer's steady-state window (inside `messages`). */
  windowMessages: number;
  reps: number;
  pollerCounts: number[];
  windowMs: number;
  scalingRounds: number;
  /** The built CLI the scaling runs start poller processes from. */
  cliPath: string;
  /** The built handler that waits HANDLER_DELAY_MS per message. */
  handlerPath: string;
}

export function planRun(args: ThroughputArgs): ThroughputPlan {
  const root = repoRoot();
  return {
    args,
    // The steady window spans 2,000,000 messages (several seconds even for the
    // fastest consumer here); the rest of the topic covers start-up and tail.
    messages: args.messages ?? (args.quick ? 50_000 : 2_500_000),
    windowMessages: args.windowMessages ?? Math.min(args.quick ? 30_000 : 2_000_000, Math.floor((args.messages ?? Infinity) * 0.7)),
    reps: args.reps ?? (args.quick ? 1 : 5),
    pollerCounts: args.pollers ?? (args.quick ? [1, 2] : [1, 2, 4, 8]),
    windowMs: args.windowMs ?? (args.quick ? 2_000 : 5_000),
    scalingRounds: args.rounds ?? (args.quick ? 1 : 2),
    cliPath: join(root, 'dist', 'cli', 'main.js'),
    handlerPath: join(root, 'dist', 'bench', 'fixtures', 'sleep-5ms.js'),
  };
}

/** Exits with a usage error when the poller processes could not be started. */
export function checkBuilt(plan: ThroughputPlan): void {
  for (const f of [plan.cliPath, plan.handlerPath]) if (!existsSync(f)) usage(`${f} is missing; build first: npx tsc -p tsconfig.build.json`);
}

export interface RunDirs {
  /** One folder per run, so the poller logs of two runs never mix. */
  logDir: string;
  profileDir: string;
}

export function createRunDirs(): RunDirs {
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
  const logDir = join(tmpdir(), 'ringleader-bench', runId);
  mkdirSync(logDir, { recursive: true });
  return { logDir, profileDir: join(logDir, 'profiles') };
}
