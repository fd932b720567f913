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
    pollers: s.pollers.map((p) => ({ id: p.id, host: p.host, pid: p.pid, weight: p.weight, state: p.state, ...(p.unhealthy ? { unhealthy: p.unhealthy } : {}), ...(p.pausedFor ? { pausedFor: p.pausedFor } : {}), ranges: p.ranges })),
    assignment: s.assignment,
    converged: s.converged,
    producers: s.producers ?? [],
    resize: s.resize ?? null,
    split: s.split ?? null,
    problems: s.problems,
  };
}
