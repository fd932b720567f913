import type { ZkSession, ZkEvent } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseMember, parseProducer } from './znodes.js';

/**
 * A process a resize's cut-over waits for, as read now with its node's
 * version (what the cut-over's multi checks): a producer (it must send
 * nothing with the old R past the end offsets) or a poller (it must start
 * nothing past them with the old R).
 */
export interface Participant {
  kind: 'producer' | 'poller';
  id: string;
  path: string;
  /** The resize it says it paused for (none for a malformed node). */
  pausedFor: string | undefined;
  version: number;
}

/**
 * The producers under `producers/` and the pollers under `pollers/`. With
 * `watch`, it is called on the next change of either list or of any node
 * read (once per watch: the caller reads again). A malformed node counts as
 * one that never says it paused, so a resize waits for it and rolls back
 * rather than cut over past a process it cannot read. Both parents must
 * exist (`ensureLayout`, and `producers/` made by the cut-over).
 */
export async function readParticipants(zk: ZkSession, paths: GroupPaths, watch?: (e: ZkEvent) => void): Promise<Participant[]> {
  const [producers, pollers] = await Promise.all([
    readKind(zk, paths.producers, (id) => paths.producer(id), (data, id) => {
      const p = parseProducer(data, id);
      return p.ok ? p.value.pausedFor : undefined;
    }, watch),
    readKind(zk, paths.pollers, (id) => paths.poller(id), (data, id) => {
      const m = parseMember(data, id);
      return m.ok ? m.value.pausedFor : undefined;
    }, watch),
  ]);
  return [...producers.map((p) => ({ ...p, kind: 'producer' as const })), ...pollers.map((p) => ({ ...p, kind: 'poller' as const }))];
}

async function readKind(
  zk: ZkSession,
  parent: string,
  pathOf: (id: string) => string,
  pausedFor: (data: Buffer, id: string) => string | undefined,
  watch?: (e: ZkEvent) => void,
): Promise<Omit<Participant, 'kind'>[]> {
  const names = await zk.getChildren(parent, watch);
  const nodes = await Promise.all(names.map((n) => zk.getDataOrNull(pathOf(n), watch)));
  const out: Omit<Participant, 'kind'>[] = [];
  names.forEach((id, i) => {
    const node = nodes[i];
    if (!node) return; // gone with its session since the list was read
    out.push({ id, path: pathOf(id), pausedFor: pausedFor(node.data, id), version: node.stat.version });
  });
  return out;
}
