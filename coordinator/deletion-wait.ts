import type { ZkEvent, ZkSession } from './zk-session.js';

/**
 * One watcher function per session, and the waiters of each path: the
 * client keeps a watcher until its node changes, and a wait that ends by
 * timeout cannot take its own back. Registering the same function again is a
 * no-op for node-zookeeper-client, so a lease waited on again and again (its
 * holder is stuck) holds one watcher, not one per wait.
 */
const deletionWaiters = new WeakMap<ZkSession, { watcher: (e: ZkEvent) => void; byPath: Map<string, Set<() => void>> }>();

function waitersOf(zk: ZkSession): { watcher: (e: ZkEvent) => void; byPath: Map<string, Set<() => void>> } {
  let w = deletionWaiters.get(zk);
  if (!w) {
    const byPath = new Map<string, Set<() => void>>();
    w = { byPath, watcher: (e: ZkEvent) => byPath.get(e.getPath())?.forEach((recheck) => recheck()) };
    deletionWaiters.set(zk, w);
  }
  return w;
}

/** Resolves when `path` is gone (or after `timeoutMs`). */
export function waitForDeletion(zk: ZkSession, path: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const { watcher, byPath } = waitersOf(zk);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const end = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      const set = byPath.get(path);
      set?.delete(check);
      if (set?.size === 0) byPath.delete(path);
    };
    const finish = (): void => {
      if (settled) return;
      end();
      resolve();
    };
    // The watch also fires when the node's data changes (a draining poller
    // rewrites its member node), so every event means "look again", not "gone".
    // The node is known by its creation zxid: one deleted and created again
    // before the look (a poller registering again at once) is gone too.
    let created: string | undefined;
    const check = (): void => {
      if (settled) return;
      zk.exists(path, watcher).then(
        (stat) => {
          if (!stat) return finish();
          const czxid = (stat.czxid as Buffer | undefined)?.toString('hex');
          if (created === undefined) created = czxid;
          else if (czxid !== created) finish();
        },
        (err) => {
          if (settled) return;
          end();
          reject(err);
        },
      );
    };
    const timer = setTimeout(finish, timeoutMs);
    signal?.addEventListener('abort', finish);
    (byPath.get(path) ?? byPath.set(path, new Set()).get(path)!).add(check);
    check();
  });
}
