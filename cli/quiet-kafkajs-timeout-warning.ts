/**
 * kafkajs 2.2.4 (its last release) arms a timer with a negative delay on
 * every request; since Node 24 each one prints a TimeoutNegativeWarning
 * (kafkajs issue 1751, unfixed). Node used a 1 ms delay for those before and
 * still does, so the warning says nothing actionable to an operator: it is
 * dropped, and every other warning is printed as Node would.
 */
export function quietKafkajsTimeoutWarning(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const print of printers) print(warning);
  });
}
