import { sleep } from '../coordinator/index.js';

/** Time as the poller's state machines see it: passed in, so unit tests can drive it. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts; never holds the process open. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    return () => clearInterval(timer);
  },
};
