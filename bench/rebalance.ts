/**
 * ringleader against consumer groups on the same rebalances, in one run.
 *
 *   npm run build && npm run bench:rebalance -- [--json] [--session-timeout 10000] [--ringleader-lib OTHER/dist/index.js]
 *
 * For each system (bench/rebalance-systems.ts): a fresh 16-partition topic,
 * a steady keyed load (400 msg/s), the same 2 ms handler, consumers as
 * separate processes (bench/rebalance-worker.ts); 3 consumers, then a 4th
 * joins, one is killed with -9, one gets SIGTERM (bench/rebalance-run.ts).
 * A window with no event comes first (`steady`): the pauses the machine
 * makes anyway. Per event: partitions paused over 200 ms, longest and median pause
 * (counting only time a message was waiting), how long until the leaving
 * consumer's partitions were handled again, whether the partitions that did
 * not move kept flowing, and messages handled twice
 * (bench/rebalance-measure.ts).
 *
 * Servers: RINGLEADER_ZK / RINGLEADER_BROKERS or .infra/env when they
 * answer, else its own through infra/ (--own-servers: always its own).
 * Progress goes to stderr; the table (or, with --json, one JSON line per
 * system and event, then a summary line) to stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startKafka } from '../infra/index.js';
import { acquireServers, benchKafka } from './throughput-env.js';
import { parseArgs, USAGE, type RebalanceArgs } from './rebalance-args.js';
import { eventFigures } from './rebalance-measure.js';
import { killAllWorkers, log, runSystem } from './rebalance-run.js';
import { systemsOf } from './rebalance-systems.js';
import { formatTable, type Row } from './rebalance-table.js';

async function main(args: RebalanceArgs): Promise<void> {
  const servers = await acquireServers({ own: args.ownServers });
  const dir = mkdtempSync(join(tmpdir(), 'bench-rebalance-'));
  const kafka = benchKafka(servers.brokers, 'bench-rebalance');
  const rows: Row[] = [];
  try {
    for (const system of systemsOf(args)) {
      log(`${system.name}: starting`);
      // A system that needs other broker settings gets a broker of its own.
      const own = system.brokerProperties
        ? await startKafka({ runDir: join(dir, `kafka-${system.name}`), properties: system.brokerProperties, logger: pino({ level: 'warn' }, pino.destination(2)) })
        : null;
      const brokers = own ? [own.bootstrap] : servers.brokers;
      let run;
      try {
        run = await runSystem(system, {
          kafka: own ? benchKafka(brokers, 'bench-rebalance') : kafka, zk: servers.zk, brokers, dir, partitions: args.partitions, rate: args.rate, handlerMs: args.handlerMs,
        });
      } finally {
        await own?.close();
      }
      for (const e of run.events) {
        const row: Row = { system: system.name, ...eventFigures(run.records, args.partitions, e) };
        rows.push(row);
        if (args.json) process.stdout.write(`${JSON.stringify(row)}\n`);
      }
      log(`${system.name}: done (${run.produced} messages produced, ${run.records.length} handlings)`);
    }
  } finally {
    await servers.close();
    if (args.keep) log(`records kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
  if (args.json) process.stdout.write(`${JSON.stringify(summary(args, rows))}\n`);
  else process.stdout.write(`${formatTable(rows)}\n`);
}

/** The targets of the ringleader rows against every consumer group's. */
function summary(args: RebalanceArgs, rows: Row[]) {
  const events = rows.filter((r) => r.event !== 'steady');
  const ours = events.filter((r) => r.system === 'ringleader');
  const groups = events.filter((r) => r.system.startsWith('kafkajs'));
  const unmovedUnder200 = ours.every((r) => r.unmovedMaxPauseMs < 200);
  // A group's own unmoved partitions, or when it moved them all (eager), every partition's pause.
  const groupPause = (g: Row) => (g.unmoved > 0 ? g.unmovedMaxPauseMs : g.maxPauseMs);
  const belowEveryGroup = ours.every((r) => groups.filter((g) => g.event === r.event).every((g) => r.unmovedMaxPauseMs < groupPause(g)));
  const killDuplicates = ours.find((r) => r.event === 'kill')?.duplicates ?? null;
  return {
    summary: 'bench:rebalance',
    rate: args.rate,
    handlerMs: args.handlerMs,
    sessionTimeoutMs: args.sessionTimeoutMs,
    node: process.version,
    ringleaderKillDuplicates: killDuplicates,
    ringleaderUnmovedUnder200ms: unmovedUnder200,
    ringleaderUnmovedBelowEveryGroupsMaxPause: belowEveryGroup,
    // What each system paused with no event: pauses near it are the machine's, not the event's.
    steadyMaxPauseMs: Object.fromEntries(rows.filter((r) => r.event === 'steady').map((r) => [r.system, r.maxPauseMs])),
  };
}

// Stopped from outside: no consumer process outlives the benchmark (a broker
// of its own, if any, is a child JVM that infra/ stops with this process).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAllWorkers();
    process.exit(130);
  });
}

let args: RebalanceArgs;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench:rebalance: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
main(args).catch((err: unknown) => {
  process.stderr.write(`bench:rebalance: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
