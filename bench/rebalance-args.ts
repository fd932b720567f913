/** Command line of bench:rebalance (bench/rebalance.ts). */

export interface RebalanceArgs {
  json: boolean;
  /** ringleader's session timeout, and the kafkajs group's in its "same timeout" variant (ms). */
  sessionTimeoutMs: number;
  rate: number;
  handlerMs: number;
  partitions: number;
  /** Which systems to run (keys of SYSTEMS), in this order. */
  systems: string[];
  /** Another ringleader build's entry module (dist/index.js) run as one more system, e.g. the version before a change. */
  ringleaderLib: string | null;
  ringleaderLibLabel: string;
  /** A Node >= 22.22 binary for the KIP-848 group's consumers (@platformatic/kafka needs it). */
  node22: string | null;
  ownServers: boolean;
  keep: boolean;
}

export const USAGE = `usage: npm run bench:rebalance -- [--json] [--session-timeout MS] [--rate MSG_PER_S] [--handler-ms MS]
       [--systems kafkajs-default,kafkajs-same-timeout,kip848,ringleader] [--node22 PATH_TO_NODE] [--ringleader-lib PATH/dist/index.js [--ringleader-lib-label NAME]]
       [--own-servers] [--keep]`;

export const ALL_SYSTEMS = ['kafkajs-default', 'kafkajs-same-timeout', 'kip848', 'ringleader'] as const;
/** Run when --systems is not given: the KIP-848 group only with --node22 (its client needs Node >= 22.22). */
export const DEFAULT_SYSTEMS = ['kafkajs-default', 'kafkajs-same-timeout', 'ringleader'] as const;

export function parseArgs(argv: string[]): RebalanceArgs {
  const a: RebalanceArgs = {
    json: false,
    sessionTimeoutMs: 10_000,
    rate: 400,
    handlerMs: 2,
    partitions: 16,
    systems: [...DEFAULT_SYSTEMS],
    ringleaderLib: null,
    ringleaderLibLabel: 'ringleader-other',
    node22: null,
    ownServers: false,
    keep: false,
  };
  let systemsGiven = false;
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isSafeInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i];
    switch (flag) {
      case '--json': a.json = true; break;
      case '--session-timeout': a.sessionTimeoutMs = int(flag, value(), 1_000); break;
      case '--rate': a.rate = int(flag, value(), 1); break;
      case '--handler-ms': a.handlerMs = int(flag, value(), 0); break;
      case '--systems': {
        const list = (value() ?? '').split(',').filter(Boolean);
        const unknown = list.filter((s) => !(ALL_SYSTEMS as readonly string[]).includes(s));
        if (list.length === 0 || unknown.length > 0) throw new Error(`--systems takes a comma-separated list of ${ALL_SYSTEMS.join(', ')}; got ${unknown.join(',') || 'nothing'}`);
        a.systems = list;
        systemsGiven = true;
        break;
      }
      case '--ringleader-lib': {
        const v = value();
        if (!v) throw new Error('--ringleader-lib needs the path of a build\'s dist/index.js');
        a.ringleaderLib = v;
        break;
      }
      case '--ringleader-lib-label': {
        const v = value();
        if (!v || !/^[A-Za-z0-9._-]+$/.test(v)) throw new Error('--ringleader-lib-label needs a name of letters, digits, ".", "_", "-"');
        a.ringleaderLibLabel = v;
        break;
      }
      case '--node22': {
        const v = value();
        if (!v) throw new Error('--node22 needs the path of a node binary (>= 22.22)');
        a.node22 = v;
        break;
      }
      case '--own-servers': a.ownServers = true; break;
      case '--keep': a.keep = true; break;
      default: throw new Error(`unknown argument ${flag}`);
    }
  }
  if (a.node22 && !systemsGiven) a.systems = ['kafkajs-default', 'kafkajs-same-timeout', 'kip848', 'ringleader'];
  return a;
}
