/** Flags of bench/scale.ts and the sizes they imply. */

export interface ScaleArgs {
  json: boolean;
  members: number;
  ranges: number;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  workers: number;
  /** Join, leave and kill events measured each. */
  events: number;
  /** Messages a second each range's no-op source advances by. */
  rate: number;
  settleMs: number;
  /** How long the ensemble's write rate is sampled at steady state. */
  steadyMs: number;
  zkHeap: string;
  /** Members each worker starts at once. */
  startConcurrency: number;
  /** Which designs to run. */
  ours: boolean;
  baseline: boolean;
  /** Keep each run's folder (server data, worker logs) instead of deleting it. */
  keep: boolean;
}

export const DEFAULTS: Omit<ScaleArgs, 'json' | 'ours' | 'baseline' | 'keep'> = {
  members: 1_000,
  ranges: 16_384,
  commitIntervalMs: 1_000,
  sessionTimeoutMs: 6_000,
  workers: 4,
  events: 5,
  rate: 10,
  settleMs: 200,
  steadyMs: 10_000,
  zkHeap: '1g',
  startConcurrency: 25,
};

/** --small: a quick try-out. */
const SMALL = { members: 50, ranges: 1_024, workers: 2 };

const USAGE = `usage: npm run bench:scale -- [--json] [--small] [--members N] [--ranges R] [--workers N]
  [--commit-interval-ms MS] [--session-timeout-ms MS] [--events N] [--rate MSG_PER_S] [--settle-ms MS]
  [--steady-ms MS] [--zk-heap 1g] [--start-concurrency N] [--only ours|baseline] [--keep]
defaults: --members ${DEFAULTS.members} --ranges ${DEFAULTS.ranges} --workers ${DEFAULTS.workers} --commit-interval-ms ${DEFAULTS.commitIntervalMs} --session-timeout-ms ${DEFAULTS.sessionTimeoutMs} --events ${DEFAULTS.events} --rate ${DEFAULTS.rate}
--small: --members ${SMALL.members} --ranges ${SMALL.ranges} --workers ${SMALL.workers} (explicit flags still win)
`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): ScaleArgs | 'help' {
  const a: ScaleArgs = { ...DEFAULTS, json: false, ours: true, baseline: true, keep: false };
  const explicit = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    const int = (min: number): number => {
      const n = Number(value());
      if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${arg} needs an integer >= ${min}`);
      return n;
    };
    const set = <K extends keyof ScaleArgs>(k: K, v: ScaleArgs[K]) => {
      a[k] = v;
      explicit.add(k);
    };
    switch (arg) {
      case '--json': a.json = true; break;
      case '--small': explicit.add('--small'); break;
      case '--keep': a.keep = true; break;
      case '--members': set('members', int(1)); break;
      case '--ranges': set('ranges', int(1)); break;
      case '--workers': set('workers', int(1)); break;
      case '--commit-interval-ms': set('commitIntervalMs', int(10)); break;
      case '--session-timeout-ms': set('sessionTimeoutMs', int(1_000)); break;
      case '--events': set('events', int(1)); break;
      case '--rate': set('rate', int(0)); break;
      case '--settle-ms': set('settleMs', int(0)); break;
      case '--steady-ms': set('steadyMs', int(1_000)); break;
      case '--start-concurrency': set('startConcurrency', int(1)); break;
      case '--zk-heap': {
        const v = value();
        if (!/^\d+[mg]$/.test(v)) throw new UsageError('--zk-heap takes a JVM size such as 512m or 1g');
        a.zkHeap = v;
        break;
      }
      case '--only': {
        const v = value();
        if (v !== 'ours' && v !== 'baseline') throw new UsageError('--only takes ours or baseline');
        a.ours = v === 'ours';
        a.baseline = v === 'baseline';
        break;
      }
      case '-h': case '--help': return 'help';
      default: throw new UsageError(`unknown argument ${arg}`);
    }
  }
  if (explicit.has('--small')) {
    for (const [k, v] of Object.entries(SMALL) as [keyof typeof SMALL, number][]) if (!explicit.has(k)) a[k] = v;
  }
  return a;
}

export function usage(): string {
  return USAGE;
}

/** Member ids: zero-padded so they sort in start order. */
export function memberIds(prefix: string, count: number, from = 0): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(from + i).padStart(4, '0')}`);
}
