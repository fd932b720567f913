import { describe, expect, it } from 'vitest';
import { DEFAULTS, memberIds, parseArgs, UsageError } from './scale-args.js';

describe('parseArgs', () => {
  it('has the documented defaults', () => {
    expect(parseArgs([])).toMatchObject({ members: 1_000, ranges: 16_384, commitIntervalMs: 1_000, sessionTimeoutMs: 6_000, workers: 4, json: false, ours: true, baseline: true });
  });

  it('--small picks a small run, explicit flags still win in any order', () => {
    expect(parseArgs(['--small'])).toMatchObject({ members: 50, ranges: 1_024, workers: 2 });
    expect(parseArgs(['--members', '20', '--small', '--json'])).toMatchObject({ members: 20, ranges: 1_024, json: true });
  });

  it('--only runs one design', () => {
    expect(parseArgs(['--only', 'baseline'])).toMatchObject({ ours: false, baseline: true });
  });

  it('refuses bad values and unknown flags', () => {
    expect(() => parseArgs(['--members', '0'])).toThrow(UsageError);
    expect(() => parseArgs(['--ranges'])).toThrow(UsageError);
    expect(() => parseArgs(['--zk-heap', 'lots'])).toThrow(UsageError);
    expect(() => parseArgs(['--frobnicate'])).toThrow(UsageError);
    expect(parseArgs(['--help'])).toBe('help');
  });

  it('keeps rate 0 (nothing to commit) apart from the default', () => {
    expect(parseArgs(['--rate', '0'])).toMatchObject({ rate: 0 });
    expect(DEFAULTS.rate).toBeGreaterThan(0);
  });
});

describe('memberIds', () => {
  it('pads so ids sort in start order', () => {
    expect(memberIds('m', 3, 8)).toEqual(['m-0008', 'm-0009', 'm-0010']);
  });
});
