import type { Logger } from 'pino';
import { ZkSession, GroupPaths, readGroupSnapshot, assertGroupAcl, type GroupSnapshot, type EndOffsets } from '../../coordinator/index.js';
import { fetchEndOffsets, isKafkaAuthError } from '../../poller/index.js';
import { cliKafka } from './kafka.js';
import { zkSecurity, kafkaSecurityFrom, type ZkAuthFlags, type KafkaAuthFlags } from '../secrets.js';
import { CliError, oneLine } from '../errors.js';

export interface StatusActionOptions extends ZkAuthFlags, KafkaAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  brokers?: string[];
}

/**
 * End offsets for status/watch. Kafka being down only costs the lag column,
 * but wrong credentials never fix themselves: those end the command (CliError).
 */
export function endOffsetsFrom(brokers: string[] | undefined, log: Logger, auth: KafkaAuthFlags = {}, onAuthError?: (err: CliError) => void): EndOffsets | undefined {
  if (!brokers) return undefined;
  const kafka = cliKafka(brokers, log, undefined, kafkaSecurityFrom(auth));
  return async (topic) => {
    try {
      return await fetchEndOffsets(kafka, topic);
    } catch (err) {
      if (isKafkaAuthError(err)) onAuthError?.(new CliError(`Kafka: ${oneLine(err)}`));
      throw err;
    }
  };
}

export async function readStatus(o: StatusActionOptions, log: Logger): Promise<GroupSnapshot> {
  const zk = new ZkSession({ connect: o.zk, connectTimeoutMs: o.connectTimeout, logger: log, ...zkSecurity(o) });
  await zk.start();
  try {
    const paths = new GroupPaths(o.group, o.zkRoot);
    await assertGroupAcl(zk, paths);
    let authError: CliError | undefined;
    const snapshot = await readGroupSnapshot(zk, paths, endOffsetsFrom(o.brokers, log, o, (e) => (authError = e)));
    if (authError) throw authError;
    return snapshot;
  } finally {
    await zk.close();
  }
}

/** `status --json`: the shape in docs/design.md "status --json" (plus `problems`, which lists malformed znodes). */
export function statusJson(s: GroupSnapshot): Record<string, unknown> {
  return {
    group: s.group,
    topic: s.topic,
    ranges: s.ranges,
    epoch: s.epoch,
    leader: s.leader,
    pollers: s.pollers.map((p) => ({ id: p.id, host: p.host, pid: p.pid, weight: p.weight, state: p.state, ranges: p.ranges })),
    assignment: s.assignment,
    converged: s.converged,
    problems: s.problems,
  };
}

/** The readable table for people. */
export function formatStatus(s: GroupSnapshot): string {
  const lines: string[] = [];
  lines.push(`group ${s.group}  topic ${s.topic ?? '?'}  ranges ${s.ranges}  epoch ${s.epoch ?? '-'}  leader ${s.leader ?? '(none)'}  ${s.converged ? 'converged' : 'NOT converged'}`);
  lines.push('');
  lines.push(pad(['POLLER', 'HOST', 'PID', 'WEIGHT', 'STATE', 'RANGES'], [24, 16, 8, 7, 9]));
  for (const p of s.pollers) {
    lines.push(pad([p.id, p.host, String(p.pid), String(p.weight), p.state, compactRanges(p.ranges)], [24, 16, 8, 7, 9]));
  }
  if (!s.pollers.length) lines.push('(no pollers)');
  lines.push('');
  const withLag = s.assignment.some((r) => r.end !== undefined);
  const head = ['RANGE', 'ASSIGNED', 'OWNER', 'COMMITTED', ...(withLag ? ['END', 'LAG'] : [])];
  const widths = [6, 24, 24, 12, 12];
  lines.push(pad(head, widths));
  for (const r of s.assignment) {
    const cells = [String(r.range), r.assigned ?? '-', r.owner ?? '-', r.committed ?? '-'];
    if (withLag) cells.push(r.end ?? '-', r.lag === null || r.lag === undefined ? '-' : String(r.lag));
    lines.push(pad(cells, widths));
  }
  for (const p of s.problems) lines.push(`problem: ${p.path}: ${p.error}`);
  return lines.join('\n');
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c)).join(' ').trimEnd();
}

/** [0,1,2,5,7,8] -> "0-2,5,7-8" */
export function compactRanges(ranges: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ranges.length; ) {
    let j = i;
    while (j + 1 < ranges.length && ranges[j + 1] === ranges[j]! + 1) j++;
    out.push(i === j ? String(ranges[i]) : `${ranges[i]}-${ranges[j]}`);
    i = j + 1;
  }
  return out.join(',') || '-';
}
