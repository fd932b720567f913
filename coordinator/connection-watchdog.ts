/**
 * The timeouts node-zookeeper-client lacks and the Java client has.
 *
 * - Read timeout: a connection on which nothing has been heard for 2/3 of the
 *   session timeout is dropped. Without it, a server that goes silent while
 *   the TCP connection stays up (a paused or partitioned server, or a
 *   connection the server no longer serves) keeps the client "connected"
 *   forever, and the session expires although another server could have kept
 *   it (the library's pull request #38 was never merged).
 * - Handshake timeout: a connection the server accepted but never answered
 *   (a SIGSTOPped server still accepts TCP connections) is dropped after
 *   session timeout / number of servers. The library clears its connect timer
 *   when TCP connects, before the session handshake (its pull request #57).
 *
 * Dropping the socket makes the library reconnect to the next server of the
 * connect string, where the session either resumes or is found expired.
 */
export interface LibrarySocket {
  readonly destroyed: boolean;
  destroy(): void;
}

export interface WatchedConnection {
  /** Whether the library reports the session connected. */
  connected(): boolean;
  /** When a reply was last received. */
  lastHeard(): number;
  /** The library's current socket, if any. */
  socket(): LibrarySocket | undefined;
}

export interface ConnectionWatchdogOptions {
  readTimeoutMs: number;
  handshakeTimeoutMs: number;
  now: () => number;
  /** Runs a check again once pending I/O has been handled (default: setImmediate). */
  afterIo?: (fn: () => void) => void;
  onDrop: (why: 'silent' | 'handshake', ms: number) => void;
}

export class ConnectionWatchdog {
  private attempt: { socket: LibrarySocket; since: number } | null = null;

  constructor(
    private readonly conn: WatchedConnection,
    private readonly opts: ConnectionWatchdogOptions,
  ) {}

  /** Called on a short ticker. */
  check(): void {
    const overdue = this.overdue();
    if (!overdue) return;
    // After a SIGSTOP, timers run before the replies waiting in the socket
    // are read: decide only once pending I/O has been handled.
    (this.opts.afterIo ?? setImmediate)(() => {
      const still = this.overdue();
      if (!still || still.socket !== overdue.socket) return;
      this.attempt = null;
      this.opts.onDrop(still.why, still.ms);
      still.socket.destroy();
    });
  }

  private overdue(): { why: 'silent' | 'handshake'; ms: number; socket: LibrarySocket } | null {
    const socket = this.conn.socket();
    const now = this.opts.now();
    if (!socket || socket.destroyed) {
      this.attempt = null;
      return null;
    }
    if (this.conn.connected()) {
      this.attempt = null;
      const ms = now - this.conn.lastHeard();
      return ms >= this.opts.readTimeoutMs ? { why: 'silent', ms, socket } : null;
    }
    if (this.attempt?.socket !== socket) {
      this.attempt = { socket, since: now };
      return null;
    }
    const ms = now - this.attempt.since;
    return ms >= this.opts.handshakeTimeoutMs ? { why: 'handshake', ms, socket } : null;
  }
}
