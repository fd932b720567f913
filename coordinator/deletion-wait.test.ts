import { describe, expect, it } from 'vitest';
import { waitForDeletion } from './deletion-wait.js';
import type { ZkEvent, ZkSession } from './zk-session.js';

/** Keeps watchers per path the way node-zookeeper-client does: the same function once. */
function fakeZk() {
  const exists = new Set<string>(['/l/1']);
  const watchers = new Map<string, Set<(e: ZkEvent) => void>>();
  const zk = {
    async exists(path: string, watcher?: (e: ZkEvent) => void) {
      if (watcher) (watchers.get(path) ?? watchers.set(path, new Set()).get(path)!).add(watcher);
      return exists.has(path) ? {} : null;
    },
  };
  const remove = (path: string) => {
    exists.delete(path);
    const fire = watchers.get(path);
    watchers.delete(path);
    fire?.forEach((w) => w({ getPath: () => path } as unknown as ZkEvent));
  };
  return { zk: zk as unknown as ZkSession, watchers, remove };
}

describe('waitForDeletion', () => {
  it('waits that time out, again and again, leave one watcher on the path; a deletion ends every wait', async () => {
    const { zk, watchers, remove } = fakeZk();
    for (let i = 0; i < 20; i++) await waitForDeletion(zk, '/l/1', 1);
    expect(watchers.get('/l/1')?.size).toBe(1);
    const waits = [waitForDeletion(zk, '/l/1', 10_000), waitForDeletion(zk, '/l/1', 10_000)];
    await new Promise((r) => setTimeout(r, 5));
    remove('/l/1');
    await Promise.all(waits);
  });
});
