import type { Stat } from 'node-zookeeper-client';
import type { ZkSession } from './zk-session.js';
import { isZkCode, ZK } from './zk-errors.js';

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
