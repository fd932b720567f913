import type { ZkSession, ZkEvent } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseMember, type MemberInfo } from './znodes.js';

export interface Problem {
  path: string;
  error: string;
}

export interface MemberList {
  members: MemberInfo[];
  /** Member nodes whose data is malformed: reported, never acted on. */
  problems: Problem[];
}

/**
 * Reads every `pollers/<id>` node. With `watch`, a child watch on `pollers/`
 * and a data watch on each member fire it once on the next change (state
 * `draining`, weight) so the leader can react without polling.
 */
export async function readMembers(zk: ZkSession, paths: GroupPaths, watch?: (e: ZkEvent) => void): Promise<MemberList> {
  const names = await zk.getChildren(paths.pollers, watch);
  const members: MemberInfo[] = [];
  const problems: Problem[] = [];
  const nodes = await Promise.all(names.map((n) => zk.getDataOrNull(paths.poller(n), watch)));
  names.forEach((name, i) => {
    const node = nodes[i];
    if (!node) return; // left between the two reads
    const parsed = parseMember(node.data, name);
    if (parsed.ok) members.push(parsed.value);
    else problems.push({ path: paths.poller(name), error: parsed.error });
  });
  members.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { members, problems };
}
