// The backoff of handler retries and dead-letter write retries. The delay
// itself is coordinator/retry.ts's backoffDelay, the same as every other
// retry loop of the process.

import type { BackoffOptions } from '../coordinator/index.js';


/** 100 ms doubling up to 10 s, each delay shortened by up to a fifth so that pollers retrying one sidecar spread out. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2 };
