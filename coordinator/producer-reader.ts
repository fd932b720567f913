import type { ZkSession, ZkEvent } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseProducer } from './znodes.js';

/** A registered producer as read now, with its node's version (what a multi checks). */
export interface ProducerNode {
  id: string;
  /** The resize it says it paused for (none for a malformed node). */
  pausedFor: string | undefined;
  version: number;
}

/**
 * The producers registered under `producers/`, each with its node's version.
 * With `watch`, it is called on the next change of the list or of any node
 * read (once per watch: the caller reads again). A malformed node counts as
 * a producer that never says it paused, so a resize waits for it and rolls
 * back rather than cut over past a writer it cannot read.
 */
export async function readProducers(zk: ZkSession, paths: GroupPaths, watch?: (e: ZkEvent) => void): Promise<ProducerNode[]> {
  await zk.ensure(paths.producers);
  const names = await zk.getChildren(paths.producers, watch);
  const nodes = await Promise.all(names.map((n) => zk.getDataOrNull(paths.producer(n), watch)));
  const out: ProducerNode[] = [];
  names.forEach((id, i) => {
    const node = nodes[i];
    if (!node) return; // gone with its session since the list was read
    const parsed = parseProducer(node.data, id);
    out.push({ id, pausedFor: parsed.ok ? parsed.value.pausedFor : undefined, version: node.stat.version });
  });
  return out;
}
