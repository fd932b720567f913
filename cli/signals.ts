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
