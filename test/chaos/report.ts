// The chaos report: the checker's result, the run's facts and the targets.
// Built the same way at the end of a run and by `--recheck <records>`, which
// re-runs the checker over the records a run kept (`--keep`, or any failing run).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { check, MUST_BE_ZERO, type CheckResult } from './checker.js';
import { partitionTargets } from './checks/partition-recovery.js';
import { readHandled, readPlainConsumed, readProduced, readSessionExpiries, type FaultEvent, type Incarnation } from './records.js';
import type { FaultKind } from './schedule.js';
import type { History } from './zk-observer.js';

/** What a run knows besides the records: written to `run.json` next to them. */
export interface RunFacts {
  seed: number;
  durationSec: number;
  sessionTimeoutMs: number;
  faultsSkipped: number;
  producedFailedSends: number;
  /** Every range drained before the checks; null: not known (records from before run.json). */
  drained: boolean | null;
}

export interface ChaosReport extends Omit<CheckResult, 'examples'>, RunFacts {
  ok: boolean;
  failed: string[];
  faults: Partial<Record<FaultKind, number>>;
  targets: {
    killRecoveryMaxMs: number;
    handoffP50Ms: number;
    handoffMaxMs: number;
    zkPartitionRecoveryMaxMs: number;
    kafkaPartitionRecoveryMaxMs: number;
    brokerKillPauseP50Ms: number | null;
    met: boolean;
  };
  recordsDir: string | null;
  examples?: Record<string, string[]>;
}

/** history.json: what the observer saw in ZooKeeper plus the cluster's and the injector's logs. */
export interface SavedHistory extends History {
  incarnations: Incarnation[];
  faults: FaultEvent[];
}

export function countFaults(events: FaultEvent[]): Partial<Record<FaultKind, number>> {
  const out: Partial<Record<FaultKind, number>> = {};
  for (const e of events) out[e.kind] = (out[e.kind] ?? 0) + 1;
  return out;
}

export function buildReport(result: CheckResult, facts: RunFacts, faults: FaultEvent[], recordsDir: string | null): ChaosReport {
  const failed: string[] = MUST_BE_ZERO.filter((k) => result[k] !== 0);
  if (facts.drained === false) failed.push('drained');
  const killMax = facts.sessionTimeoutMs + 1000;
  const partitions = partitionTargets(facts.sessionTimeoutMs);
  // Targets are for single failures; recoveries that overlapped another
  // failure are reported beside them (killMs, handoffPauseMs, outliers).
  // A broker kill may stall ranges no longer than a plain consumer's leader failover, plus 1 s (p50 over the run's kills).
  const brokerKillPauseP50Ms = result.plainConsumerFailoverMs.p50 === null ? null : result.plainConsumerFailoverMs.p50 + 1000;
  const brokerMet = result.brokerKillPauseMs.n === 0 || (brokerKillPauseP50Ms !== null && (result.brokerKillPauseMs.p50 ?? 0) <= brokerKillPauseP50Ms);
  const met =
    brokerMet &&
    result.recovery.killMsIsolated.n > 0 &&
    (result.recovery.killMsIsolated.max ?? 0) <= killMax &&
    (result.handoffPauseMsIsolated.p50 ?? 0) <= 100 &&
    (result.handoffPauseMsIsolated.max ?? 0) <= 500 &&
    (result.zkPartitionRecoveryMsUndisturbed.max ?? 0) <= partitions.zkMaxMs &&
    (result.kafkaPartitionRecoveryMsUndisturbed.max ?? 0) <= partitions.kafkaMaxMs;
  const { examples, ...fields } = result;
  return {
    ok: failed.length === 0,
    failed,
    ...facts,
    ...fields,
    faults: countFaults(faults),
    targets: {
      killRecoveryMaxMs: killMax,
      handoffP50Ms: 100,
      handoffMaxMs: 500,
      zkPartitionRecoveryMaxMs: partitions.zkMaxMs,
      kafkaPartitionRecoveryMaxMs: partitions.kafkaMaxMs,
      brokerKillPauseP50Ms,
      met,
    },
    recordsDir,
    ...(Object.keys(examples).length ? { examples } : {}),
  };
}

const bigints = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

export function saveRun(recordsDir: string, history: SavedHistory, facts: RunFacts, skipped: unknown[]): void {
  writeFileSync(join(recordsDir, 'history.json'), JSON.stringify({ ...history, skipped }, bigints));
  writeFileSync(join(recordsDir, 'run.json'), `${JSON.stringify(facts)}\n`);
}

/** Re-runs the checker over a kept records folder. */
export function recheck(recordsDir: string, fallback: Pick<RunFacts, 'sessionTimeoutMs'>): ChaosReport {
  const read = (f: string): unknown => JSON.parse(readFileSync(join(recordsDir, f), 'utf8'));
  const h = read('history.json') as SavedHistory & { leases: { czxid: string }[]; offsets: { mzxid: string; offset: string }[] };
  let facts: RunFacts;
  try {
    facts = read('run.json') as RunFacts;
  } catch {
    // Records from before run.json existed: the folder name has the seed, history.json the skipped faults.
    const seed = /-seed(\d+)-/.exec(recordsDir)?.[1];
    const skipped = (h as { skipped?: unknown[] }).skipped;
    facts = { seed: seed ? Number(seed) : -1, durationSec: -1, sessionTimeoutMs: fallback.sessionTimeoutMs, faultsSkipped: skipped?.length ?? -1, producedFailedSends: -1, drained: null };
  }
  const history: History = {
    leases: h.leases.map((l) => ({ ...(l as unknown as History['leases'][number]), czxid: BigInt(l.czxid) })),
    offsets: h.offsets.map((o) => ({ ...(o as unknown as History['offsets'][number]), mzxid: BigInt(o.mzxid), offset: BigInt(o.offset) })),
    epochs: h.epochs,
    leaders: h.leaders,
  };
  const result = check({
    produced: readProduced(join(recordsDir, 'produced.ndjson')),
    handled: readHandled(recordsDir),
    history,
    incarnations: h.incarnations,
    faults: h.faults,
    sessionTimeoutMs: facts.sessionTimeoutMs,
    sessionExpiries: readSessionExpiries(recordsDir),
    plainConsumed: readPlainConsumed(recordsDir),
  });
  return buildReport(result, facts, h.faults, recordsDir);
}
