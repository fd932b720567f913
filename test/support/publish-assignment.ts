import { encode, encodeMemberAssignment, rangesByOwner, type GroupPaths, type ZkSession } from '../../coordinator/index.js';

/**
 * The test plays the leader: publishes `epoch` in which each poller named in
 * `owners` (one entry per range) has its ranges: the poller nodes first, then
 * the header that commits them (docs/design.md, "Publishing an epoch").
 * Pollers that own nothing keep no node.
 */
export async function publishAssignment(zk: ZkSession, paths: GroupPaths, epoch: number, owners: (string | null)[]): Promise<void> {
  const byPoller = rangesByOwner(owners);
  for (const id of await zk.getChildren(paths.assignment)) if (!byPoller.has(id)) await zk.remove(paths.memberAssignment(id), -1);
  for (const [id, ranges] of byPoller) {
    const data = encodeMemberAssignment({ epoch, ranges, prev: { epoch: 0, ranges: [] } }, owners.length);
    const exists = await zk.exists(paths.memberAssignment(id));
    if (exists) await zk.setData(paths.memberAssignment(id), data, -1);
    else await zk.create(paths.memberAssignment(id), data);
  }
  await zk.setData(paths.assignment, encode({ epoch, leader: 'test', at: new Date().toISOString(), reason: 'test' }), -1);
}
