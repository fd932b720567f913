/**
 * Scale benchmark: many simulated members run the real membership,
 * coordinator (leader election, assignment publish), range ownership, lease
 * and commit code against a real 3-node ZooKeeper ensemble (started here on
 * free loopback ports, stopped at the end), with a no-op message source and
 * no Kafka. Members are spread over a few worker processes; each member has
 * its own ZooKeeper session.
 *
 *   npm run build && npm run bench:scale -- [--json] [--small] [--members N] [--ranges R] [--workers N] ...
 *
 * Measured for this tree ("ours") and, on a fresh ensemble after it, for the
 * baseline (the design before the Scale change, commit BASELINE_COMMIT, built
 * into .infra/cache/; its group limit caps R at 7,168): start-up, join, leave
 * and kill convergence, ZooKeeper bytes read per member per rebalance, the
 * steady-state write rate, the largest znode, assign() time and the servers'
 * peak RSS and CPU. Progress goes to stderr; with --json the last line of
 * stdout is one JSON object (README of the benchmark: docs or `--help`).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, usage, UsageError, type ScaleArgs } from './scale-args.js';
import { BASELINE_COMMIT, buildBaseline } from './scale-baseline.js';
import { runSide, type SideContext, type SideResult } from './scale-side.js';
import { loadTree, type BuiltTree } from './scale-tree.js';
import { targetsMet } from './scale-targets.js';

type Outcome = (SideResult & { rangesCapped?: boolean }) | { error: string };

function log(line: string): void {
  process.stderr.write(`[scale ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

const aborters = new Set<() => void | Promise<void>>();
const context: SideContext = {
  log,
  onAbort(stop) {
    aborters.add(stop);
    return () => aborters.delete(stop);
  },
};

function onSignal(signal: NodeJS.Signals): void {
  log(`${signal}: stopping workers and servers`);
  const force = setTimeout(() => process.exit(1), 20_000);
  force.unref();
  void Promise.allSettled([...aborters].map((stop) => Promise.resolve().then(stop))).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

/** Builds the baseline; a signal meanwhile ends the build's child processes too. */
async function buildBaselineAbortably(): Promise<string> {
  const abort = new AbortController();
  const unregister = context.onAbort(() => abort.abort());
  try {
    return await buildBaseline((l) => log(`[baseline] ${l}`), abort.signal);
  } finally {
    unregister();
  }
}

/** Runs one design at min(R, its group limit); a failure becomes {error}. */
async function measure(name: string, tree: () => Promise<BuiltTree>, args: ScaleArgs): Promise<Outcome> {
  try {
    const t = await tree();
    const ranges = Math.min(args.ranges, t.maxRanges);
    if (ranges < args.ranges) log(`[${name}] groups are limited to ${t.maxRanges} ranges: running with R = ${ranges}`);
    const result = await runSide(t, args, ranges, context);
    return ranges < args.ranges ? { ...result, rangesCapped: true } : result;
  } catch (err) {
    log(`[${name}] failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function summary(name: string, o: Outcome): string {
  if ('error' in o) return `${name}: error: ${o.error}`;
  const p = (s: { p50: number; p99: number } | null) => (s ? `${s.p50}/${s.p99}` : 'n/a');
  const start = o.startStuck ? `no convergence (${o.startStuck.pending} ranges stuck)` : `${o.startConvergeMs} ms`;
  return `${name}: R=${o.ranges} start ${start}; join ${p(o.joinConvergeMs)}, leave ${p(o.leaveConvergeMs)}, kill ${p(o.killConvergeMs)} ms (p50/p99); ` +
    `read bytes unaffected ${o.bytesReadPerRebalance.unaffected}, affected ${o.bytesReadPerRebalance.affected}; ` +
    `${o.zkWritesPerSec} writes/s (${o.writesPerMemberPerInterval}/member/interval); largest znode ${o.maxZnodeBytes} B; assign ${o.assignMs} ms; ` +
    `ZooKeeper peak RSS ${o.zkPeakRssBytes === null ? 'n/a' : `${Math.round(o.zkPeakRssBytes / 2 ** 20)} MiB`}, ${o.zkCpuSeconds} CPU s (${o.zkAverageCores} cores)`;
}

async function main(): Promise<void> {
  let args: ScaleArgs;
  try {
    const parsed = parseArgs(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(usage());
      return;
    }
    args = parsed;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`error: ${err.message}\n${usage()}`);
    process.exit(2);
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log(`members ${args.members}, ranges ${args.ranges}, workers ${args.workers}, commit interval ${args.commitIntervalMs} ms, session timeout ${args.sessionTimeoutMs} ms, ${args.events} events of each kind, rate ${args.rate} msg/s per range`);

  const distDir = dirname(dirname(fileURLToPath(import.meta.url)));
  const ours: Outcome = args.ours ? await measure('ours', () => loadTree('ours', distDir), args) : { error: 'not run (--only baseline)' };
  const baseline: Outcome = args.baseline
    ? await measure('baseline', async () => loadTree('baseline', await buildBaselineAbortably()), args)
    : { error: 'not run (--only ours)' };

  log(summary('ours', ours));
  log(summary(`baseline ${BASELINE_COMMIT}`, baseline));
  const report = {
    members: args.members,
    rangesRequested: args.ranges,
    commitIntervalMs: args.commitIntervalMs,
    sessionTimeoutMs: args.sessionTimeoutMs,
    ...ours,
    ...('error' in ours ? {} : { targetsMet: targetsMet(ours) }),
    baseline: { commit: BASELINE_COMMIT, ...baseline },
  };
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${summary('ours', ours)}\n${summary(`baseline ${BASELINE_COMMIT}`, baseline)}\n`);
  process.exitCode = 'error' in ours && args.ours ? 1 : 0;
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    process.exit(1);
  },
);
