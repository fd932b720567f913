import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSessionExpiries } from './records.js';

describe('chaos records', () => {
  it('reads the session expiries each poller incarnation logged, with the ranges it lost to each, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-records-'));
    try {
      const line = (o: object) => JSON.stringify(o);
      writeFileSync(
        join(dir, 'poller-p13-2.log'),
        [
          line({ level: 40, time: 1000, component: 'zk-session', msg: 'ZooKeeper disconnected' }),
          line({ level: 40, time: 2000, component: 'zk-session', sessionId: 'ab', msg: 'ZooKeeper session expired; opening a new one' }),
          line({ level: 40, time: 2001, component: 'assignment-follower', range: 4, why: 'session expired', msg: 'range lost' }),
          line({ level: 40, time: 2002, component: 'assignment-follower', range: 9, why: 'session expired', msg: 'range lost' }),
          line({ level: 40, time: 2500, component: 'assignment-follower', range: 5, why: 'lease deleted', msg: 'range lost' }),
          line({ level: 40, time: 4000, component: 'assignment-follower', range: 6, why: 'session expired', msg: 'range lost' }),
          '{"level":40,"time":3000,"component":"zk-se', // torn by SIGKILL
        ].join('\n'),
      );
      writeFileSync(join(dir, 'coord-1.log'), line({ time: 5000, component: 'zk-session', msg: 'ZooKeeper session expired; opening a new one' }));
      // Range 6, lost 2 s after: not to this expiry.
      expect(readSessionExpiries(dir)).toEqual([{ poller: 'p13', inc: 2, at: 2000, ranges: [4, 9] }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
