// The default handler: acknowledges every message and counts it. Used by
// demos and by the throughput benchmark, so it does as little as possible.

import type { Handler, RingMessage } from '../message.js';

export interface CountingHandler {
  handle: Handler;
  /** Messages acknowledged so far. */
  count(): number;
}

export function createCountingHandler(): CountingHandler {
  let count = 0;
  return {
    // Synchronous: returning nothing acknowledges at once, with no promise per message.
    handle: (_msg: RingMessage) => {
      count++;
    },
    count: () => count,
  };
}
