import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseConfig, parseResizeMarker } from './znodes.js';
import { ConfigError } from './group-config.js';

/**
 * Pollers and coordinators cannot yet follow a change of the range count
 * while they run, so a resize is refused while any is registered, and one
 * that registers during a resize refuses to start (docs/design.md "Growing a
 * group"). Called once registered (member node, or place in the election):
 * a resize that writes its marker after that sees us and rolls back; one
 * that wrote it before is seen here.
 */
export async function assertNotResizing(zk: ZkSession, paths: GroupPaths, ranges: number): Promise<void> {
  const marker = await zk.getDataOrNull(paths.resize);
  if (marker) {
    const m = parseResizeMarker(marker.data);
    const what = m.ok ? ` (${m.value.from} -> ${m.value.to} ranges)` : '';
    throw new ConfigError(`group "${paths.group}" is being resized${what}; start again once the resize is over`);
  }
  const config = await zk.getDataOrNull(paths.config);
  const parsed = config ? parseConfig(config.data) : null;
  if (parsed?.ok && parsed.value.ranges !== ranges) {
    throw new ConfigError(`group "${paths.group}" was resized to ${parsed.value.ranges} ranges while this process started with ${ranges}; start it again`);
  }
}

/** The pollers and coordinators registered in the group (a resize waits for none of them: it refuses). */
export async function liveConsumers(zk: ZkSession, paths: GroupPaths): Promise<{ pollers: string[]; candidates: number }> {
  const [pollers, candidates] = await Promise.all([
    zk.getChildren(paths.pollers).catch(() => [] as string[]),
    zk.getChildren(paths.leader).catch(() => [] as string[]),
  ]);
  return { pollers: pollers.sort(), candidates: candidates.length };
}
