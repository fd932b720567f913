import type { Logger } from 'pino';
import { ZkSession, GroupPaths, parseMember, encode, waitForDeletion, isZkCode, ZK, assertGroupAcl, sleep } from '../../coordinator/index.js';
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

/** How long a vanished member node may take to come back (a re-registration after a session expiry) before the poller counts as gone. */
const REREGISTER_GRACE_MS = 3_000;

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
    const deadline = started + o.timeout;
    if ((await requestDrain(zk, path, o)) === 'gone') return { poller: o.pollerId, drained: true, ms: Date.now() - started };
    log.info({ poller: o.pollerId }, 'drain requested');
    if (!o.wait) return { poller: o.pollerId, drained: false, ms: Date.now() - started };
    for (;;) {
      await waitForDeletion(zk, path, Math.max(0, deadline - Date.now()));
      if (Date.now() >= deadline && (await zk.exists(path))) throw new CliError(`poller "${o.pollerId}" did not finish draining within ${o.timeout} ms`);
      // The request lives in the member node, which also vanishes when the
      // poller's session expires; the poller then registers again as active,
      // without the request. A node that comes back soon was not a leave.
      // (--no-wait cannot notice this; a request that outlives the session
      // needs a znode of its own.)
      if (!(await zk.exists(path))) await waitForCreation(zk, path, Math.min(REREGISTER_GRACE_MS, Math.max(0, deadline - Date.now())));
      const again = await requestDrain(zk, path, o, { quiet: true });
      if (again === 'gone') return { poller: o.pollerId, drained: true, ms: Date.now() - started };
      if (again === 'requested') log.info({ poller: o.pollerId }, 'the poller registered again without the request: drain requested again');
    }
  } finally {
    await zk.close();
  }
}

/**
 * Sets the member node to `draining` (a version-checked write). 'gone' when
 * there is no member node, 'requested' when this call wrote it, 'already'
 * when it was draining already.
 */
async function requestDrain(zk: ZkSession, path: string, o: DrainActionOptions, opts: { quiet?: boolean } = {}): Promise<'gone' | 'requested' | 'already'> {
  const node = await zk.getDataOrNull(path);
  if (!node) {
    if (opts.quiet) return 'gone';
    throw new CliError(`poller "${o.pollerId}" is not a member of group "${o.group}"`);
  }
  const parsed = parseMember(node.data, o.pollerId);
  if (!parsed.ok) throw new CliError(`poller "${o.pollerId}" has malformed member data (${parsed.error}); not touching it`);
  if (parsed.value.state === 'draining') return 'already';
  try {
    await zk.setData(path, encode({ ...parsed.value, state: 'draining' }), node.stat.version);
    return 'requested';
  } catch (err) {
    if (isZkCode(err, ZK.NO_NODE)) return 'gone';
    if (isZkCode(err, ZK.BAD_VERSION)) {
      // It changed between our read and our write: look again.
      if (opts.quiet) return requestDrain(zk, path, o, opts);
      throw new CliError(`poller "${o.pollerId}" changed while we asked it to drain; try again`);
    }
    throw err;
  }
}

/** Resolves when `path` exists, or after `timeoutMs`. */
async function waitForCreation(zk: ZkSession, path: string, timeoutMs: number): Promise<void> {
  const appeared = new AbortController();
  if (await zk.exists(path, () => appeared.abort())) return;
  await sleep(timeoutMs, appeared.signal);
}
