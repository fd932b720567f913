import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseMemberAssignment, type MemberAssignmentNode } from './znodes.js';

/** How many per-poller nodes are read at once. */
const READ_CONCURRENCY = 256;

/** One poller's node as read: its data version, and its content or why it is unusable. */
export type ReadNode = { version: number } & ({ ok: true; node: MemberAssignmentNode } | { ok: false; error: string });

/** Every `assignment/<id>` node, by poller id (in id order). */
export async function readMemberAssignmentNodes(zk: ZkSession, paths: GroupPaths, ranges: number): Promise<Map<string, ReadNode>> {
  const ids = (await zk.getChildren(paths.assignment)).sort();
  const out = new Map<string, ReadNode>();
  for (let i = 0; i < ids.length; i += READ_CONCURRENCY) {
    const batch = ids.slice(i, i + READ_CONCURRENCY);
    const read = await Promise.all(batch.map((id) => zk.getDataOrNull(paths.memberAssignment(id))));
    batch.forEach((id, j) => {
      const n = read[j];
      if (!n) return; // deleted between the listing and the read
      const parsed = parseMemberAssignment(n.data, ranges, id);
      out.set(id, parsed.ok ? { version: n.stat.version, ok: true, node: parsed.value } : { version: n.stat.version, ok: false, error: parsed.error });
    });
  }
  return out;
}

/** owners[r] = poller id (or null) -> each poller's ranges, ascending. */
export function rangesByOwner(owners: readonly (string | null)[]): Map<string, number[]> {
  const byOwner = new Map<string, number[]>();
  owners.forEach((id, r) => {
    if (id === null) return;
    const list = byOwner.get(id);
    if (list) list.push(r);
    else byOwner.set(id, [r]);
  });
  return byOwner;
}
