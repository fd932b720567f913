/** Writes one JSON line of machine output on stdout (logs go to stderr). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
