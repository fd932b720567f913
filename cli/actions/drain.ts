import type { Logger } from 'pino';
import { ZkSession, GroupPaths, parseMember, encode, waitForDeletion, isZkCode, ZK, assertGroupAcl } from '../../coordinator/index.js';
import { CliError } from '../errors.js';
import { zkSecurity, type ZkAuthFlags } from '../secrets.js';

export interface DrainActionOptions extends ZkAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  pollerId: string;
  wait: boolean;
  timeout: number;
}

/**
 * `ringleader drain <id>`: marks the poller `draining`; it notices, hands its
 * ranges off and leaves. With --wait (default) this waits until its member
 * node is gone.
 */
export async function runDrain(o: DrainActionOptions, log: Logger): Promise<{ poller: string; drained: boolean; ms: number }> {
  const zk = new ZkSession({ connect: o.zk, connectTimeoutMs: o.connectTimeout, logger: log, ...zkSecurity(o) });
  await zk.start();
  const started = Date.now();
  try {
    const paths = new GroupPaths(o.group, o.zkRoot);
    await assertGroupAcl(zk, paths);
    const path = paths.poller(o.pollerId);
    const node = await zk.getDataOrNull(path);
    if (!node) throw new CliError(`poller "${o.pollerId}" is not a member of group "${o.group}"`);
    const parsed = parseMember(node.data, o.pollerId);
    if (!parsed.ok) throw new CliError(`poller "${o.pollerId}" has malformed member data (${parsed.error}); not touching it`);
    if (parsed.value.state !== 'draining') {
      try {
        await zk.setData(path, encode({ ...parsed.value, state: 'draining' }), node.stat.version);
      } catch (err) {
        if (isZkCode(err, ZK.NO_NODE)) return { poller: o.pollerId, drained: true, ms: Date.now() - started };
        if (isZkCode(err, ZK.BAD_VERSION)) throw new CliError(`poller "${o.pollerId}" changed while we asked it to drain; try again`);
        throw err;
      }
    }
    log.info({ poller: o.pollerId }, 'drain requested');
    if (!o.wait) return { poller: o.pollerId, drained: false, ms: Date.now() - started };
    await waitForDeletion(zk, path, o.timeout);
    const gone = !(await zk.exists(path));
    if (!gone) throw new CliError(`poller "${o.pollerId}" did not finish draining within ${o.timeout} ms`);
    return { poller: o.pollerId, drained: true, ms: Date.now() - started };
  } finally {
    await zk.close();
  }
}
