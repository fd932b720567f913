/**
 * Membership changes of bench/scale.ts (a member joins, leaves gracefully,
 * or its process is killed), each timed from the change to convergence, and
 * the ZooKeeper bytes every member read for it.
 */
import { sleep } from '../coordinator/index.js';
import { memberIds } from './scale-args.js';
import { movedMembers } from './scale-convergence.js';
import type { Fleet } from './scale-fleet.js';
import { preciseNow } from './scale-protocol.js';

export interface ReadBytes {
  /** Members whose ranges did not move. */
  unaffected: number[];
  /** Members that gained or lost ranges. */
  affected: number[];
}

export interface ChangeSeries {
  /** Change to convergence, one per event that converged. */
  ms: number[];
  /** Events that did not converge in time. */
  timeouts: number;
  bytes: ReadBytes;
}

export interface ChangeTiming {
  /** Settle after each converged change, so the next one starts from a quiet group. */
  quietMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

const emptySeries = (): ChangeSeries => ({ ms: [], timeouts: 0, bytes: { unaffected: [], affected: [] } });

interface Change {
  label: string;
  apply: () => Promise<void> | void;
  accept: (owners: readonly (string | null)[]) => boolean;
  timeoutMs: number;
}

/** Applies one change and waits for convergence; records into `into` (time, and read bytes unless null). */
async function measure(fleet: Fleet, change: Change, into: ChangeSeries, bytes: ReadBytes | null, log: (l: string) => void): Promise<void> {
  const before = bytes ? await fleet.sampleBytesRead() : null;
  const ownersBefore = fleet.tracker.currentOwners ?? [];
  const epochBefore = fleet.tracker.epoch;
  fleet.tracker.mark();
  const t0 = preciseNow();
  const applied = Promise.resolve().then(change.apply);
  const at = await fleet.waitConverged({ after: epochBefore, accept: change.accept, movedFrom: ownersBefore, timeoutMs: change.timeoutMs, label: change.label });
  await applied;
  if (fleet.failed) throw new Error(fleet.failed);
  if (at === null) {
    into.timeouts++;
    log(`${change.label}: no convergence within ${change.timeoutMs} ms (epoch ${fleet.tracker.epoch})`);
    return;
  }
  const ms = Math.max(0, at - t0);
  into.ms.push(ms);
  if (before && bytes) splitReadBytes(before, await fleet.sampleBytesRead(), movedMembers(ownersBefore, fleet.tracker.currentOwners ?? []), bytes);
  log(`${change.label}: converged in ${Math.round(ms)} ms at epoch ${fleet.tracker.epoch}`);
}

/** Per member present before and after: bytes read in between, as affected (ranges moved) or not. */
export function splitReadBytes(before: Map<string, number>, after: Map<string, number>, moved: Set<string>, into: ReadBytes): void {
  for (const [id, end] of after) {
    const start = before.get(id);
    if (start === undefined) continue;
    (moved.has(id) ? into.affected : into.unaffected).push(end - start);
  }
}

const has = (id: string) => (owners: readonly (string | null)[]) => owners.includes(id);
const lacks = (id: string) => (owners: readonly (string | null)[]) => !owners.includes(id);

export async function measureJoins(fleet: Fleet, count: number, t: ChangeTiming): Promise<ChangeSeries> {
  const out = emptySeries();
  for (const [i, id] of memberIds('join', count).entries()) {
    const worker = fleet.workerFor(i);
    await measure(fleet, { label: `join ${i + 1}/${count} (${id})`, apply: () => fleet.startOn(worker, [id]), accept: has(id), timeoutMs: t.timeoutMs }, out, out.bytes, t.log);
    await sleep(t.quietMs);
  }
  return out;
}

/** Graceful leaves of members that are not the leader (a leader's leave is a failover, not measured here). */
export async function measureLeaves(fleet: Fleet, count: number, t: ChangeTiming): Promise<ChangeSeries> {
  const out = emptySeries();
  for (let i = 0; i < count; i++) {
    const id = fleet.members.filter((m) => m.startsWith('m-') && m !== fleet.leader).pop();
    if (!id) throw new Error('no member left to stop');
    await measure(fleet, { label: `leave ${i + 1}/${count} (${id})`, apply: () => fleet.stopMember(id), accept: lacks(id), timeoutMs: t.timeoutMs }, out, out.bytes, t.log);
    await sleep(t.quietMs);
  }
  return out;
}

/**
 * Each victim runs alone in a process of its own, joins, and is SIGKILLed:
 * its session lives on in the servers until it expires, so the time
 * includes the session timeout.
 */
export async function measureKills(fleet: Fleet, count: number, sessionTimeoutMs: number, t: ChangeTiming): Promise<ChangeSeries> {
  const out = emptySeries();
  const joins = emptySeries();
  for (const [i, id] of memberIds('kill', count).entries()) {
    const victim = await fleet.startVictimProcess(id);
    await measure(fleet, { label: `victim ${id} joins`, apply: () => fleet.startOn(victim, [id]), accept: has(id), timeoutMs: t.timeoutMs }, joins, null, t.log);
    await sleep(t.quietMs);
    await measure(fleet, { label: `kill ${i + 1}/${count} (${id})`, apply: () => fleet.kill(victim), accept: lacks(id), timeoutMs: t.timeoutMs + 2 * sessionTimeoutMs }, out, null, t.log);
    await sleep(t.quietMs);
  }
  return out;
}
