import type { Logger } from 'pino';
import { parseLease, type GroupPaths, type ZkSession } from '../../coordinator/index.js';
import type { MoveTimer } from './measure.js';

/**
 * Watches the lease znodes of the ranges a MoveTimer follows and reports each
 * change at the moment its watch fires. A group snapshot re-reads ~50 znodes,
 * so a release and the following acquisition often land in one snapshot;
 * these one-node watches separate them.
 */
export function watchLeases(zk: ZkSession, paths: GroupPaths, timer: MoveTimer, log: Logger): void {
  for (const range of timer.ranges) {
    const path = paths.lease(range);
    const look = (firedAt: number) => {
      if (timer.done) return;
      zk.exists(path, () => look(Date.now()))
        .then(async (stat) => {
          if (!stat) return timer.observeRange(range, null, firedAt);
          const node = await zk.getDataOrNull(path);
          if (!node) return timer.observeRange(range, null, firedAt);
          const lease = parseLease(node.data);
          if (lease.ok) timer.observeRange(range, lease.value.poller, firedAt);
        })
        .catch((err: unknown) => log.debug({ err, range }, 'lease watch failed; snapshots still measure'));
    };
    look(Date.now());
  }
}
