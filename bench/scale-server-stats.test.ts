import { describe, expect, it } from 'vitest';
import { parseCpuTicks, parsePeakRssBytes, parseZxid, transactionsBetween } from './scale-server-stats.js';

const SRVR = `Zookeeper version: 3.9.5-abc, built on 2025-01-01 00:00 UTC
Latency min/avg/max: 0/0.4/31
Received: 1234
Sent: 1233
Connections: 17
Outstanding: 0
Zxid: 0x20000a1f3
Mode: leader
Node count: 35123
`;

describe('parseZxid', () => {
  it('splits the zxid into leader epoch and counter', () => {
    expect(parseZxid(SRVR)).toEqual({ epoch: 2, counter: 0xa1f3 });
  });

  it('reads a zxid with a full 32-bit counter', () => {
    expect(parseZxid('Zxid: 0x1ffffffff\n')).toEqual({ epoch: 1, counter: 0xffffffff });
  });

  it('is undefined without a Zxid line', () => {
    expect(parseZxid('This ZooKeeper instance is not currently serving requests\n')).toBeUndefined();
  });
});

describe('transactionsBetween', () => {
  it('counts within one leader epoch', () => {
    expect(transactionsBetween({ epoch: 2, counter: 100 }, { epoch: 2, counter: 1_100 })).toBe(1_000);
  });

  it('is undefined across a leader change (the counter restarts)', () => {
    expect(transactionsBetween({ epoch: 2, counter: 100 }, { epoch: 3, counter: 5 })).toBeUndefined();
  });
});

describe('/proc parsing', () => {
  it('adds utime and stime, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (java (zk) 1) S 1 4242 4242 0 -1 4194560 900 0 0 0 1500 250 0 0 20 0 40 0 123 4000000000 50000';
    expect(parseCpuTicks(stat)).toBe(1_750);
  });

  it('is undefined for a line it cannot read', () => {
    expect(parseCpuTicks('garbage')).toBeUndefined();
  });

  it('reads VmHWM in bytes', () => {
    expect(parsePeakRssBytes('Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1000 kB\n')).toBe(204_800 * 1024);
    expect(parsePeakRssBytes('Name:\tjava\n')).toBeUndefined();
  });
});
