/**
 * SIGTERM / SIGINT start a graceful stop; a second signal exits at once
 * (docs/design.md "Graceful stop"). Returns a function that removes the handlers.
 */
export function onStopSignals(graceful: (signal: NodeJS.Signals) => void, log?: { warn: (o: object, m: string) => void }): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      graceful(signal);
    } else {
      log?.warn({ signal }, 'second signal: exiting at once');
      process.exit(130);
    }
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

/**
 * The last resort behind the poller's own bounds: a graceful stop still
 * running `ms` after it began ends the process (exit code 1), so a stop
 * always ends. Returns a function that disarms it.
 */
export function exitIfStopOverruns(ms: number, log?: { error: (o: object, m: string) => void }): () => void {
  const timer = setTimeout(() => {
    log?.error({ ms }, 'graceful stop overran its bound: exiting now');
    process.exit(1);
  }, ms);
  timer.unref();
  return () => clearTimeout(timer);
}
