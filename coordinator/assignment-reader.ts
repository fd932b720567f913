import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import type { Problem } from './member-reader.js';
import { rangesInForce } from './assignment-view.js';
import { parseAssignmentHeader, type AssignmentHeader, type AssignmentRecord } from './znodes.js';
import { readMemberAssignmentNodes } from './member-assignment-nodes.js';
import { statTime } from './stat-time.js';

export interface AssignmentRead {
  /** null when the header is missing or malformed (then `problem` says why). */
  record: AssignmentRecord | null;
  /** The header's data version (-1 when missing). */
  version: number;
  problem?: string;
  /** Per-poller nodes that could not be used. */
  problems: Problem[];
  /** The server's time of the header's last write (ms), i.e. when the epoch was committed. */
  committedAt?: number;
}

/** A header and its nodes read while the leader kept publishing: tries again this often before reporting. */
const STALE_RETRIES = 5;

/**
 * The whole assignment at one committed epoch, for readers that show or
 * check every range (status, watch, tests): the header, then every
 * poller's node, each read as of the header's epoch (`rangesInForce`).
 * If a node shows a later epoch than the header, or the header changed
 * while the nodes were read, the leader published meanwhile: read it all
 * again. (A node deleted after a later epoch left it empty reads as missing,
 * and its ranges as unassigned, unless the header is checked again.)
 */
export async function readAssignment(zk: ZkSession, paths: GroupPaths, ranges: number): Promise<AssignmentRead> {
  for (let attempt = 0; ; attempt++) {
    const read = await readOnce(zk, paths, ranges);
    if (read !== 'stale') return read;
    if (attempt >= STALE_RETRIES) {
      return { record: null, version: -1, problem: `${paths.assignment} kept changing while it was read`, problems: [] };
    }
  }
}

async function readOnce(zk: ZkSession, paths: GroupPaths, ranges: number): Promise<AssignmentRead | 'stale'> {
  const headerNode = await zk.getDataOrNull(paths.assignment);
  if (!headerNode) return { record: null, version: -1, problem: `${paths.assignment} does not exist`, problems: [] };
  const parsed = parseAssignmentHeader(headerNode.data, ranges);
  if (!parsed.ok) return { record: null, version: headerNode.stat.version, problem: `malformed ${paths.assignment}: ${parsed.error}`, problems: [] };
  const header = parsed.value;
  const problems: Problem[] = [];
  const nodes = await readMemberAssignmentNodes(zk, paths, ranges);
  const owners = header.legacyOwners ? [...header.legacyOwners] : new Array<string | null>(ranges).fill(null);
  for (const [id, read] of nodes) {
    if (!read.ok) {
      problems.push({ path: paths.memberAssignment(id), error: read.error });
      continue;
    }
    const view = rangesInForce(read.node, header.epoch);
    if (view === 'stale') return 'stale';
    for (const r of view.ranges) {
      if (owners[r] !== null && !header.legacyOwners) problems.push({ path: paths.memberAssignment(id), error: `range ${r} is also given to ${owners[r]}` });
      owners[r] = id;
    }
  }
  const after = await zk.getDataOrNull(paths.assignment);
  if (after?.stat.version !== headerNode.stat.version) return 'stale';
  const mtime = headerNode.stat.mtime as Buffer | undefined;
  const committedAt = mtime ? statTime(mtime) : undefined;
  return { record: recordOf(header, owners), version: headerNode.stat.version, problems, ...(committedAt !== undefined ? { committedAt } : {}) };
}

function recordOf(header: AssignmentHeader, owners: (string | null)[]): AssignmentRecord {
  return { epoch: header.epoch, leader: header.leader, at: header.at, reason: header.reason, owners };
}
