import type { Stat } from 'node-zookeeper-client';
import type { ZkSession } from './zk-session.js';
import { isZkCode, ZK } from './zk-errors.js';
import { retry, RetryAbortedError, RECREATE_EPHEMERAL_BACKOFF } from './retry.js';

/**
 * One try at an ephemeral node of ours: created, or found already ours (a
 * create that went through before a connection loss hid its reply: the data
 * is written again), or held by another live session (its data, for the
 * caller to report or wait on). A node that vanished in between counts as
 * not created: try again.
 */
export async function createOwnEphemeral(
  zk: ZkSession,
  path: string,
  data: Buffer,
): Promise<'created' | 'ours' | 'vanished' | { other: { data: Buffer; stat: Stat } }> {
  try {
    await zk.create(path, data, 'ephemeral');
    return 'created';
  } catch (err) {
    if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
  }
  const existing = await zk.getDataOrNull(path);
  if (!existing) return 'vanished';
  if (!zk.ownsEphemeral(existing.stat)) return { other: existing };
  await zk.setData(path, data, -1);
  return 'ours';
}

/**
 * After a new session: `create` again (with backoff, whatever it fails with:
 * a node of another session may still go away) until it lands or `open()`
 * turns false. Resolves true when it landed, false when given up.
 */
export async function recreateWhileOpen(create: () => Promise<void>, open: () => boolean, onRetry: (err: unknown) => void): Promise<boolean> {
  try {
    await retry(create, { ...RECREATE_EPHEMERAL_BACKOFF, retriable: () => true, while: open, onRetry });
    return true;
  } catch (err) {
    if (err instanceof RetryAbortedError) return false;
    throw err;
  }
}
