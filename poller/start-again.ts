import type { Logger } from 'pino';
import { retry, sleep } from '../coordinator/index.js';

const ATTEMPTS = 5;
const WAIT_MS = 1_000;

/**
 * A poller starting again on a resized group (docs/design.md "Growing a
 * group"): `open` is tried up to five times, a second apart, while
 * `keepTrying` holds. Everything the poller had is closed by then, so the
 * waits hold the process open: otherwise it would end, unnoticed, in the
 * middle of a wait. Rejects with the last error (RetryAbortedError).
 */
export function startAgain<T>(open: () => Promise<T>, keepTrying: () => boolean, log: Logger): Promise<T> {
  return retry(open, {
    attempts: ATTEMPTS,
    initialMs: WAIT_MS,
    maxMs: WAIT_MS,
    retriable: () => true,
    while: keepTrying,
    sleep: (ms, signal) => sleep(ms, signal, { holdProcess: true }),
    onRetry: (err, attempt) => log.warn({ err, attempt }, 'cannot start again after the resize yet; trying again'),
  });
}
