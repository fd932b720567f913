// The one polling wait of the tests and the chaos run: for conditions that
// nothing announces (a status command's answer, a records file growing).
import { sleep as coordinatorSleep } from '../../coordinator/index.js';

export interface WaitOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Check this often (default 50 ms). */
  everyMs?: number;
}

/** A value `waitFor` accepts as "done". */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Waits `ms`, or less if `signal` aborts (Ctrl-C ends a chaos run early: it
 * still drains, checks and cleans up, so no step may sit out its full wait).
 * Holds the process open, as a test's or the run's own wait must.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return coordinatorSleep(ms, signal, { holdProcess: true });
}

/**
 * Waits for `p`, but no longer than `ms` (or until `signal` aborts):
 * `p`'s value, or undefined when the time ran out first. The
 * timer goes as soon as either is over: a lost race's timer would hold the
 * process open for the rest of `ms`.
 */
export async function atMost<T>(p: Promise<T>, ms: number, signal?: AbortSignal): Promise<T | undefined> {
  const over = new AbortController();
  try {
    return await Promise.race([p, sleep(ms, signal ? AbortSignal.any([signal, over.signal]) : over.signal).then(() => undefined)]);
  } finally {
    over.abort();
  }
}

/**
 * Calls `check` until it returns a truthy value, which it returns. A check
 * that throws counts as not yet; when the time is up the error says `what`
 * was awaited and the last error seen.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(opts.everyMs ?? 50);
  }
}
