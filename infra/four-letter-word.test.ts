import { describe, expect, it } from 'vitest';
import { parseSrvr } from './four-letter-word.js';

describe('parseSrvr', () => {
  it('reads version and mode from srvr output', () => {
    const text = 'Zookeeper version: 3.9.5-1a2b3c, built on 2025-01-01 00:00 UTC\nLatency min/avg/max: 0/0.0/0\nMode: follower\nNode count: 5\n';
    expect(parseSrvr(text)).toEqual({ version: '3.9.5', mode: 'follower' });
  });

  it('is undefined for anything else', () => {
    expect(parseSrvr('This ZooKeeper instance is not currently serving requests\n')).toBeUndefined();
  });
});
