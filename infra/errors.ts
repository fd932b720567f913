/**
 * An infrastructure failure the user can act on. The message is one line that
 * says what went wrong and what to do (or which log file to read); the CLI
 * prints it as is, without a stack.
 */
export class InfraError extends Error {
  override readonly name = 'InfraError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
