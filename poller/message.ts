// The message shape every handler sees, and the ways a handler reports back.
// Offsets and timestamps stay strings here because they are strings at the
// Kafka boundary and in the contract given to user handler modules.

export interface RingMessage {
  topic: string;
  range: number;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: string;
  /** 1 on the first delivery to the handler, +1 on each retry. */
  attempt: number;
}

/**
 * Resolve = acknowledged; throw or reject = retry (or dead letter, see
 * DeadLetterNow). A handler may also return nothing: it has finished, and the
 * message is acknowledged at once.
 */
export type Handler = (msg: RingMessage) => Promise<void> | void;

/**
 * Thrown by a handler when retrying cannot help (a sidecar answered 4xx or
 * "DROP"): the message skips the remaining attempts and goes straight to the
 * dead-letter topic. It is never silently dropped.
 */
export class DeadLetterNow extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeadLetterNow';
  }
}

/**
 * Thrown by a handler when what it forwards to is not there at all (an HTTP
 * sidecar refusing connections while it restarts): the message could not
 * have caused it, so it is retried with backoff without using up its
 * attempts — a sidecar outage pauses the range instead of dead-lettering
 * everything that arrives meanwhile.
 */
export class HandlerUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HandlerUnavailable';
  }
}
