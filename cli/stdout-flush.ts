/**
 * Writes `text` on stdout and resolves once it is handed to the OS. The bin
 * ends with process.exit(), which drops whatever a pipe has not taken yet:
 * past 64 KiB (`status --json` of a large group) the output was cut.
 */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
}
