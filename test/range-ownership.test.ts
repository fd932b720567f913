import { describe, it, expect } from 'vitest';
import { ZkSession, GroupPaths, createGroupConfig } from '../coordinator/index.js';
import { AssignedRanges } from '../poller/assigned-ranges.js';
import type { RangeConsumer } from '../poller/range-ownership.js';
import { zkConnect, randomName } from './support/env.js';
import { expireSession } from './support/expire-session.js';
import { sleep, waitFor } from './support/wait-for.js';
import { publishAssignment } from './support/publish-assignment.js';

describe('range ownership against real ZooKeeper', () => {
  it('a range whose session expires while its worker is starting is not left "owned" without a lease', async () => {
    const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000 });
    await zk.start();
    const paths = new GroupPaths(randomName('follower'));
    await createGroupConfig(zk, paths, { topic: 't', ranges: 1 });
    // The test plays the leader: range 0 belongs to p1.
    await publishAssignment(zk, paths, 1, ['p1']);

    let releaseFirstStart!: () => void;
    const firstStartHeld = new Promise<void>((r) => (releaseFirstStart = r));
    const events: string[] = [];
    let starts = 0;
    const worker: RangeConsumer = {
      start: async () => {
        starts++;
        events.push(`start${starts}`);
        if (starts === 1) await firstStartHeld; // e.g. a slow Kafka seek
      },
      stop: async () => null,
      lost: () => void events.push('lost'),
      committable: () => null,
    };
    const follower = new AssignedRanges({ zk, paths, pollerId: 'p1', ranges: 1, consumer: worker });
    try {
      await follower.start();
      await waitFor('the first start', () => starts === 1);
      await expireSession(zk, zkConnect());
      // The slow start finishes only now, after its lease died with the session.
      releaseFirstStart();
      await waitFor(
        'range 0 held again, under the new session',
        async () => {
          if (follower.ownership.stateOf(0) !== 'owned') return false;
          const node = await zk.getDataOrNull(paths.lease(0));
          return node !== null && zk.ownsEphemeral(node.stat);
        }, { timeoutMs: 15_000 });
      await sleep(300);
      expect(follower.ownership.stateOf(0)).toBe('owned');
      expect(starts).toBeGreaterThanOrEqual(2);
      expect(events).toContain('lost');
    } finally {
      await follower.close();
      await zk.close();
    }
  });
});
