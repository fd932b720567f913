import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { ZkSession, GroupPaths, Coordinator, readGroupConfig } from '../../coordinator/index.js';
import { onStopSignals } from '../signals.js';
import { zkSecurity, type ZkAuthFlags } from '../secrets.js';

export interface CoordinatorActionOptions extends ZkAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  id?: string;
  sessionTimeout: number;
  settle: number;
}

/** `ringleader coordinator`: a standalone leader candidate that never consumes. */
export async function runCoordinator(o: CoordinatorActionOptions, log: Logger): Promise<void> {
  const id = o.id ?? `coordinator-${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const zk = new ZkSession({ connect: o.zk, sessionTimeoutMs: o.sessionTimeout, connectTimeoutMs: o.connectTimeout, logger: log, ...zkSecurity(o) });
  await zk.start();
  const paths = new GroupPaths(o.group, o.zkRoot);
  try {
    await readGroupConfig(zk, paths);
    const coordinator = new Coordinator({ zk, paths, id, settleMs: o.settle, logger: log });
    await coordinator.start();
    log.info({ id, group: o.group }, 'coordinator candidate started');
    await new Promise<void>((resolve) => {
      const remove = onStopSignals(() => {
        remove();
        log.info({}, 'stopping coordinator');
        void coordinator.close().finally(resolve);
      }, log);
    });
  } finally {
    await zk.close();
  }
}
