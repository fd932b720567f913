/**
 * Waits `ms`, or less if `signal` aborts (Ctrl-C ends the run early: it still
 * drains, checks and cleans up, so no step may sit out its full wait).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    // An abort that came before this sleep began fires no event: don't wait.
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
