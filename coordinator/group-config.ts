import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode, parseConfig, MAX_GROUP_RANGES, type GroupConfig, type AssignmentHeader } from './znodes.js';
import { isZkCode, ZK } from './zk-errors.js';
import { assertGroupAcl } from './acl.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Creates the persistent skeleton of a group; existing nodes are left as they are. */
export async function ensureLayout(zk: ZkSession, paths: GroupPaths): Promise<void> {
  await assertGroupAcl(zk, paths);
  await zk.mkdirp(paths.base);
  for (const p of [paths.pollers, paths.leader, paths.leases, paths.offsets]) await zk.ensure(p);
}

/**
 * `ringleader create`: writes `config` once. Re-creating with the same topic
 * and ranges is a no-op; different values are refused: R changes only
 * through a resize (coordinator/resize-cutover.ts), which keeps keys in order.
 */
export async function createGroupConfig(
  zk: ZkSession,
  paths: GroupPaths,
  want: { topic: string; ranges: number },
): Promise<{ created: boolean; config: GroupConfig }> {
  if (!Number.isInteger(want.ranges) || want.ranges < 1 || want.ranges > MAX_GROUP_RANGES) {
    throw new ConfigError(`--ranges must be an integer from 1 to ${MAX_GROUP_RANGES}, got ${want.ranges}`);
  }
  await ensureLayout(zk, paths);
  const config: GroupConfig = { version: 1, topic: want.topic, ranges: want.ranges };
  try {
    await zk.create(paths.config, encode(config));
  } catch (err) {
    if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
    const existing = await readGroupConfig(zk, paths);
    checkConfigMatches(existing, want, paths.group);
    return { created: false, config: existing };
  }
  const initial: AssignmentHeader = { epoch: 0, leader: '', at: new Date().toISOString(), reason: 'created' };
  await zk.ensure(paths.assignment, encode(initial));
  return { created: true, config };
}

/** Reads and validates `config`; a missing or malformed one is a clear error, never guessed around. */
export async function readGroupConfig(zk: ZkSession, paths: GroupPaths): Promise<GroupConfig> {
  return (await readVersionedGroupConfig(zk, paths)).config;
}

/** The same, with the node's version (what a fenced write of `config` checks). */
export async function readVersionedGroupConfig(zk: ZkSession, paths: GroupPaths): Promise<{ config: GroupConfig; version: number }> {
  await assertGroupAcl(zk, paths);
  const node = await zk.getDataOrNull(paths.config);
  if (!node) {
    throw new ConfigError(
      `group "${paths.group}" does not exist at ${paths.config}; create it with: ringleader create --group ${paths.group} --topic <topic> --ranges <R>`,
    );
  }
  const parsed = parseConfig(node.data);
  if (!parsed.ok) throw new ConfigError(`malformed ${paths.config}: ${parsed.error}`);
  return { config: parsed.value, version: node.stat.version };
}

/** A process whose own --topic / --ranges disagree with the group's config refuses to start. */
export function checkConfigMatches(config: GroupConfig, want: { topic?: string; ranges?: number }, group: string): void {
  if (want.topic !== undefined && want.topic !== config.topic) {
    throw new ConfigError(`group "${group}" consumes topic "${config.topic}", not "${want.topic}"`);
  }
  if (want.ranges !== undefined && want.ranges !== config.ranges) {
    throw new ConfigError(`group "${group}" has ${config.ranges} ranges, not ${want.ranges}`);
  }
}
