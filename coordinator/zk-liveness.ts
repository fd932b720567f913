import type { Client } from 'node-zookeeper-client';
import { ZkError, ZK } from './zk-errors.js';

/**
 * What the session's replies prove, and until when: the poller's
 * self-fencing deadline, and the silence the connection watchdog measures.
 */
export class SessionLiveness {
  /** When the request of the latest reply was sent: the server vouched for the session no earlier. */
  private lastReply = 0;
  /** When a reply was last *received* (lastReply is when its request was sent). */
  private heard = 0;
  private lastPing = 0;
  /** When the current (re)connection attempt began: a handshake answer proves the session alive no later than this. */
  private connectingSince = 0;

  constructor(
    private readonly sessionTimeoutMs: number,
    readonly now: () => number,
  ) {}

  get lastReplyAt(): number {
    return this.lastReply;
  }

  get lastHeard(): number {
    return this.heard;
  }

  /**
   * Until when this process may assume it still holds its ephemeral nodes:
   * the server cannot expire the session sooner than a session timeout after
   * our last successful reply; 2/3 of it leaves room for clock drift and for
   * work already started.
   */
  deadline(): number {
    return this.lastReply + (this.sessionTimeoutMs * 2) / 3;
  }

  /** A (re)connection attempt begins now. */
  connecting(): void {
    this.connectingSince = this.now();
  }

  /**
   * The server vouched for the session when it answered the handshake, which
   * may be long before we read the answer (a process stopped with SIGSTOP
   * reads it after SIGCONT): the proof dates from when the reconnection
   * began, and a ping sent now renews it.
   */
  handshakeAnswered(): void {
    this.lastReply = Math.max(this.lastReply, this.connectingSince);
    this.heard = this.now();
  }

  /** A reply to a request sent at `sentAt` arrived now. */
  replied(sentAt: number): void {
    if (sentAt > this.lastReply) this.lastReply = sentAt;
    this.heard = this.now();
  }

  /** A ping every third of the session timeout (a few ms early, so a tick at exactly that time sends it). */
  pingDue(): boolean {
    return this.now() - this.lastPing >= this.sessionTimeoutMs / 3 - 5;
  }

  pinged(): void {
    this.lastPing = this.now();
  }
}

export type ClientCall<T> = (c: Client, cb: (err: unknown, value?: T) => void) => void;

/**
 * Runs one client call with a bound, records the reply time, and normalises
 * errors. The bound is needed because node-zookeeper-client queues requests
 * while disconnected and would wait forever.
 */
export function boundedRequest<T>(client: Client, path: string, timeoutMs: number, liveness: SessionLiveness, fn: ClientCall<T>): Promise<T> {
  // The reply proves the session was alive when the server handled the
  // request, which may be long before the reply is read (a process stopped
  // with SIGSTOP reads it only after SIGCONT): the deadline counts from the
  // time the request was sent.
  const sentAt = liveness.now();
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(new ZkError(ZK.OPERATION_TIMEOUT, `ZooKeeper did not answer within ${timeoutMs} ms (${path})`));
    }, timeoutMs);
    fn(client, (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        const e = ZkError.from(err, path);
        // A server reply (even an error like NO_NODE) proves the session is alive.
        if (e.code !== ZK.CONNECTION_LOSS && e.code !== ZK.SESSION_EXPIRED) liveness.replied(sentAt);
        reject(e);
      } else {
        liveness.replied(sentAt);
        resolve(value as T);
      }
    });
  });
}
