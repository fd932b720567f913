import type { ZkSession, ZkEvent } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseAssignment, type AssignmentRecord } from './znodes.js';

export interface AssignmentRead {
  /** null when the node is missing or malformed (then `problem` says why). */
  record: AssignmentRecord | null;
  /** znode data version, for the leader's conditional write (-1 when missing). */
  version: number;
  problem?: string;
}

export async function readAssignment(
  zk: ZkSession,
  paths: GroupPaths,
  ranges: number,
  watch?: (e: ZkEvent) => void,
): Promise<AssignmentRead> {
  const node = watch ? await zk.getDataOrNull(paths.assignment, watch) : await zk.getDataOrNull(paths.assignment);
  if (!node) {
    if (watch) await zk.exists(paths.assignment, watch); // fire when it is created
    return { record: null, version: -1, problem: `${paths.assignment} does not exist` };
  }
  const parsed = parseAssignment(node.data, ranges);
  if (!parsed.ok) return { record: null, version: node.stat.version, problem: `malformed ${paths.assignment}: ${parsed.error}` };
  return { record: parsed.value, version: node.stat.version };
}
