// `npm run chaos -- [--duration 120] [--seed N] [--json] [--session-timeout 4000] [--resizes N] [--keep] [--kafka-client kafkajs|platformatic]`
// `npm run chaos -- --recheck <records folder> [--json]`: the checks again over kept records.
//
// Starts its own 3-node ZooKeeper ensemble and Kafka, 2 coordinators and 4
// pollers, produces keyed load, injects seeded faults, drains, and checks
// loss, duplicates, order, exclusivity, fencing and recovery times. Progress
// goes to stderr; with --json the last line of stdout is the report. Exits 1
// when a must-be-0 field is not 0, 2 on bad flags.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { recheck, type ChaosReport } from './report.js';
import { emergencyStop, runChaos } from './run.js';
import { killAllProcesses } from '../support/node-process.js';
import { KAFKA_CLIENT_NAMES, type KafkaClientName } from '../../poller/kafka-clients.js';

function usage(msg: string): never {
  process.stderr.write(`chaos: ${msg}\nusage: npm run chaos -- [--duration SECONDS] [--seed N] [--json] [--session-timeout MS] [--rate MSGS] [--resizes N] [--keep] [--kafka-client kafkajs|platformatic]\n       npm run chaos -- --recheck RECORDS_DIR [--json] [--session-timeout MS]\n`);
  process.exit(2);
}

function int(name: string, v: string | undefined, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) usage(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
}

function summary(r: ChaosReport): string {
  const s = (x: { n: number; p50: number | null; max: number | null }) => (x.n ? `p50 ${x.p50} ms, max ${x.max} ms (n=${x.n})` : 'n/a');
  return [
    `chaos seed ${r.seed}, ${r.durationSec} s: ${r.ok ? 'PASS' : `FAIL (${r.failed.join(', ')})`}`,
    `  produced ${r.produced}, handled ${r.handled} (${r.handledUnique} unique), lost ${r.lost}`,
    `  duplicates ${r.duplicates} (explained ${r.duplicatesExplained}, unexplained ${r.duplicatesUnexplained}; after a graceful stop ${r.gracefulDuplicates}); written twice by the producer ${r.producerDuplicates}`,
    `  poller sessions expired: ${r.sessionExpiries.n} (zombies ${r.sessionExpiries.zombie}, by a frozen ZooKeeper leader ${r.sessionExpiries.zkLeaderFrozen}, cut off from ZooKeeper ${r.sessionExpiries.cutOff ?? 0}, other ${r.sessionExpiries.other})`,
    `  order ${r.orderViolations}, key order across partitions ${r.keyOrderViolations}, overlap ${r.overlapViolations}, zombie starts ${r.zombieStarts}, zombie commits ${r.zombieCommits}, offset regressions ${r.offsetRegressions}`,
    `  faults ${JSON.stringify(r.faults)} (skipped ${r.faultsSkipped})`,
    `  recovery after kill -9: ${s(r.recovery.killMs)}; with no other failure overlapping: ${s(r.recovery.killMsIsolated)} (target: max <= ${r.targets.killRecoveryMaxMs} ms)`,
    `  recovery after SIGSTOP: ${s(r.recovery.zombieMs)}`,
    `  coordinator kill -> next epoch: ${s(r.recovery.coordinatorEpochMs)}; -> new leader: ${s(r.recovery.coordinatorLeaderMs)}`,
    `  cut off from ZooKeeper -> ranges handled elsewhere: ${s(r.zkPartitionRecoveryMs)}; undisturbed: ${s(r.zkPartitionRecoveryMsUndisturbed)} (target: max <= ${r.targets.zkPartitionRecoveryMaxMs} ms)`,
    `  cut off from Kafka -> ranges handled elsewhere: ${s(r.kafkaPartitionRecoveryMs)}; undisturbed: ${s(r.kafkaPartitionRecoveryMsUndisturbed)} (target: max <= ${r.targets.kafkaPartitionRecoveryMaxMs} ms)`,
    `  planned handoff pause: ${s(r.handoffPauseMs)}; undisturbed: ${s(r.handoffPauseMsIsolated)} (target: p50 <= ${r.targets.handoffP50Ms} ms, max <= ${r.targets.handoffMaxMs} ms)`,
    `  broker kill -> longest range pause: ${s(r.brokerKillPauseMs)}; plain kafkajs consumer's failover: ${s(r.plainConsumerFailoverMs)} (target: p50 <= ${r.targets.brokerKillPauseP50Ms ?? 'n/a'} ms)`,
    `  broker freeze -> longest range pause: ${s(r.brokerFreezePauseMs)}; plain consumer: ${s(r.plainConsumerFreezeMs)}`,
    `  targets ${r.targets.met ? 'met' : 'NOT met'}`,
    ...r.outliers.map((o) => `  over target: ${o}`),
    ...(r.recordsDir ? [`  records: ${r.recordsDir}`] : []),
  ].join('\n');
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        duration: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        'session-timeout': { type: 'string' },
        rate: { type: 'string' },
        resizes: { type: 'string' },
        keep: { type: 'boolean', default: false },
        recheck: { type: 'string' },
        'kafka-client': { type: 'string', default: 'kafkajs' },
      },
      strict: true,
    }));
  } catch (err) {
    usage(err instanceof Error ? err.message : String(err));
  }
  if (values.recheck !== undefined) {
    const dir = values.recheck;
    if (!existsSync(join(dir, 'history.json'))) usage(`--recheck: no history.json in "${dir}" (a records folder kept by --keep or by a failing run)`);
    const report = recheck(dir, { sessionTimeoutMs: int('session-timeout', values['session-timeout'], 4000, 1000) });
    process.stderr.write(`${summary(report)}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exitCode = report.ok ? 0 : 1;
    return;
  }
  const kafkaClient = values['kafka-client'] as KafkaClientName;
  if (!KAFKA_CLIENT_NAMES.includes(kafkaClient)) usage(`--kafka-client must be one of ${KAFKA_CLIENT_NAMES.join(', ')}, got "${kafkaClient}"`);
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`chaos: ${sig}: stopping early (again to stop at once)\n`);
      abort.abort();
      // Bounded: whatever is still running after 60 s is killed.
      setTimeout(() => void emergencyStop().finally(() => process.exit(130)), 60_000).unref();
    } else {
      void emergencyStop().finally(() => process.exit(130));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => killAllProcesses());

  const durationSec = int('duration', values.duration, 120, 20);
  const report = await runChaos({
    durationSec,
    // The group doubles from 32 ranges: twice in a long run (to 128), once in a short one.
    resizes: int('resizes', values.resizes, durationSec >= 300 ? 2 : 1, 0),
    seed: int('seed', values.seed, Math.floor(Math.random() * 1_000_000), 0),
    sessionTimeoutMs: int('session-timeout', values['session-timeout'], 4000, 1000),
    rate: int('rate', values.rate, 200, 1),
    pollers: 4,
    ranges: 32,
    keys: 64,
    keep: values.keep || abort.signal.aborted,
    kafkaClient,
    log: (line) => process.stderr.write(`${line}\n`),
    signal: abort.signal,
  });
  process.stderr.write(`${summary(report)}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = report.ok && !abort.signal.aborted ? 0 : 1;
  // Everything was stopped; a client library's leftover timer must not keep
  // the run alive after its report (seen once: the process sat idle). Say
  // what was left, then exit.
  setTimeout(() => {
    process.stderr.write(`chaos: still running 10 s after the report (${process.getActiveResourcesInfo().join(', ')}); exiting\n`);
    process.exit();
  }, 10_000).unref();
}

main().catch(async (err: unknown) => {
  process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await emergencyStop();
  process.exit(1);
});
