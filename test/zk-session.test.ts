import { describe, it, expect } from 'vitest';
import { ZkSession } from '../coordinator/zk-session.js';
import { zkConnect } from './support/env.js';

describe('ZkSession self-fencing deadline (real ZooKeeper)', () => {
  it('counts from when a request was sent, not from when its reply was read', async () => {
    // A process stopped with SIGSTOP reads replies to requests it sent before
    // the stop only after SIGCONT; they prove nothing about the time since.
    let clock = 1_000_000;
    const zk = new ZkSession({ connect: zkConnect(), sessionTimeoutMs: 4_000, now: () => clock });
    await zk.start();
    try {
      const sent = clock;
      const reply = zk.exists('/');
      clock += 10_000; // the "stop": the reply is read 10 s after the request left
      await reply;
      expect(zk.lastReplyAt).toBe(sent);
      expect(zk.withinDeadline()).toBe(false);

      // A request sent now renews it.
      await zk.exists('/');
      expect(zk.lastReplyAt).toBe(clock);
      expect(zk.withinDeadline()).toBe(true);
      clock += (4_000 * 2) / 3 + 1;
      expect(zk.withinDeadline()).toBe(false);
    } finally {
      await zk.close();
    }
  });
});
