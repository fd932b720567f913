/**
 * The one error type of ring/. Everything it throws is bad input from the
 * caller (never a transient condition), so it is not retriable and its
 * message names the argument and the offending value.
 */
export class RingError extends Error {
  readonly retriable = false;

  constructor(message: string) {
    super(message);
    this.name = 'RingError';
  }
}
