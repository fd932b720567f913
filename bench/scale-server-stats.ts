/**
 * What bench/scale.ts reads about the ZooKeeper servers: the last zxid from
 * `srvr` (its counter part counts transactions: every write is one), and the
 * peak RSS and CPU time of each server JVM from /proc.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Zxid {
  /** The leader epoch (high 32 bits): a new leader starts a new epoch and resets the counter. */
  epoch: number;
  /** Transactions within the epoch (low 32 bits). */
  counter: number;
}

/** The `Zxid: 0x...` line of a `srvr` reply; undefined when there is none. */
export function parseZxid(srvr: string): Zxid | undefined {
  const hex = /^Zxid:\s*0x([0-9a-f]+)\s*$/im.exec(srvr)?.[1];
  if (!hex) return undefined;
  const z = BigInt(`0x${hex}`);
  return { epoch: Number(z >> 32n), counter: Number(z & 0xffffffffn) };
}

/** Transactions between two zxids of the same leader epoch; undefined across a leader change. */
export function transactionsBetween(from: Zxid, to: Zxid): number | undefined {
  return from.epoch === to.epoch ? to.counter - from.counter : undefined;
}

/**
 * utime + stime (clock ticks) from a /proc/<pid>/stat line. The command name
 * (field 2) is in parentheses and may hold spaces, so fields are counted
 * after its closing parenthesis: utime and stime are fields 14 and 15.
 */
export function parseCpuTicks(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[14 - 3]);
  const stime = Number(rest[15 - 3]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** VmHWM (peak resident set) in bytes from /proc/<pid>/status. */
export function parsePeakRssBytes(status: string): number | undefined {
  const kb = /^VmHWM:\s*(\d+)\s*kB/im.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

let ticksPerSecond: number | undefined;

/** The kernel's clock ticks per second (almost always 100). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds a process has used so far; undefined when it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const ticks = parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return ticks === undefined ? undefined : ticks / clockTicksPerSecond();
  } catch {
    return undefined;
  }
}

export function peakRssOf(pid: number): number | undefined {
  try {
    return parsePeakRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
