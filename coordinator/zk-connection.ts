import zookeeper from 'node-zookeeper-client';
import type { Client, State } from 'node-zookeeper-client';
import type { Logger } from 'pino';
import { ConnectionWatchdog, type LibrarySocket } from './connection-watchdog.js';
import type { SessionLiveness } from './zk-liveness.js';
import { retry, sleep } from './retry.js';

/**
 * What users of a session react to. `session` means a *new* session was
 * established (after the first connect or after an expiry): everything
 * ephemeral and every watch of the old one is gone and must be re-created.
 */
export type SessionState =
  | { type: 'session'; sessionId: string; first: boolean }
  | { type: 'disconnected' }
  | { type: 'reconnected'; sessionId: string }
  | { type: 'expired'; sessionId: string };

export class ConnectTimeoutError extends Error {
  constructor(connect: string, ms: number) {
    super(`cannot reach ZooKeeper at ${connect} within ${ms} ms; is it running? (start one with: npm run infra -- up)`);
    this.name = 'ConnectTimeoutError';
  }
}

export interface ZkConnectionOptions {
  connect: string;
  sessionTimeoutMs: number;
  connectTimeoutMs?: number;
  auth?: { scheme: string; auth: string }[];
  log: Logger;
  liveness: SessionLiveness;
  onState: (s: SessionState) => void;
  /** A cheap request that renews the liveness proof. */
  ping: () => Promise<unknown>;
}

/** One client's attempt to establish a session (the first connect, or a new session after an expiry). */
interface ConnectAttempt {
  readonly client: Client;
  readonly generation: number;
  readonly first: boolean;
  everConnected: boolean;
  /** Stops the connect timeout and the "still trying" warnings. */
  stopWaiting: () => void;
  established: () => void;
}

/** After an expiry, a new session is tried for again after this (each try waits up to the connect timeout). */
const REOPEN_BACKOFF = { initialMs: 250, maxMs: 5_000 };

/**
 * The node-zookeeper-client client behind a session, and its connection
 * state. An expired client cannot be reused, so on expiry this makes a new
 * one and announces a new `session`. A ticker pings the server and lets the
 * watchdog leave a silent server: the library may stay "connected" through a
 * silent partition (its issue #13), and lacks the Java client's read and
 * handshake timeouts, which `ConnectionWatchdog` supplies.
 */
export class ZkConnection {
  client: Client | null = null;
  /** Incremented with every new session; leases remember the one that made them. */
  generation = 0;
  connected = false;
  sessionId = '';
  closed = false;
  private closing: Promise<void> | null = null;
  private pinger: NodeJS.Timeout | null = null;
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private readonly watchdog: ConnectionWatchdog;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly opts: ZkConnectionOptions) {
    this.log = opts.log;
    this.now = opts.liveness.now;
    const servers = opts.connect.split('/')[0]!.split(',').length;
    this.watchdog = new ConnectionWatchdog(
      {
        connected: () => this.connected,
        lastHeard: () => opts.liveness.lastHeard,
        socket: () => (this.client as unknown as { connectionManager?: { socket?: LibrarySocket } } | null)?.connectionManager?.socket,
      },
      {
        readTimeoutMs: readTimeoutMs(opts.sessionTimeoutMs),
        handshakeTimeoutMs: Math.floor(opts.sessionTimeoutMs / servers),
        now: this.now,
        onDrop: (why, ms) =>
          this.log.warn(
            { sessionId: this.sessionId, why, ms },
            why === 'silent'
              ? 'ZooKeeper server silent for longer than the read timeout; dropping the connection to reconnect'
              : 'ZooKeeper server accepted the connection but did not answer; trying the next server',
          ),
      },
    );
  }

  /** Connects; retries (the client does) until connectTimeoutMs, then gives up with a clear error. */
  async start(): Promise<void> {
    if (this.client) throw new Error('ZkSession already started');
    // Ticks at 1/12 of the timeout: a ping every 1/3, a silent connection
    // dropped by 3/4 of the session timeout at the latest. Runs during the
    // first connect too, so a server that accepts but never answers is left
    // for the next one.
    this.pinger = setInterval(() => this.tick(), Math.max(25, Math.floor(this.opts.sessionTimeoutMs / 12)));
    this.pinger.unref();
    try {
      await this.openClient(true);
    } catch (err) {
      clearInterval(this.pinger);
      this.pinger = null;
      throw err;
    }
  }

  private tick(): void {
    if (this.connected && this.opts.liveness.pingDue()) {
      this.opts.liveness.pinged();
      void this.opts.ping();
    }
    if (!this.closed) this.watchdog.check();
  }

  private openClient(first: boolean): Promise<void> {
    const client = zookeeper.createClient(this.opts.connect, {
      sessionTimeout: this.opts.sessionTimeoutMs,
      spinDelay: 250,
      retries: 0,
    });
    for (const a of this.opts.auth ?? []) client.addAuthInfo(a.scheme, Buffer.from(a.auth));
    this.client = client;
    this.opts.liveness.connecting();
    const generation = ++this.generation;

    return new Promise<void>((resolve, reject) => {
      const attempt: ConnectAttempt = { client, generation, first, everConnected: false, stopWaiting: () => undefined, established: resolve };
      attempt.stopWaiting = this.limitConnectTime(attempt, reject);
      client.on('state', (state) => this.onClientState(state, attempt));
      client.connect();
    });
  }

  /**
   * Warns every 2 s while the attempt has not connected, and abandons it
   * after the connect timeout. Returns what stops both.
   */
  private limitConnectTime(attempt: ConnectAttempt, reject: (err: Error) => void): () => void {
    const timeoutMs = this.opts.connectTimeoutMs ?? 30_000;
    const started = this.now();
    const slowLog: NodeJS.Timeout = setInterval(() => {
      this.log.warn({ connect: this.opts.connect, waitedMs: this.now() - started }, 'still trying to reach ZooKeeper');
    }, 2_000);
    const timer: NodeJS.Timeout = setTimeout(() => {
      stop();
      if (attempt.everConnected) return;
      const { client } = attempt;
      client.removeAllListeners();
      client.close();
      if (this.client === client) this.client = null;
      reject(new ConnectTimeoutError(this.opts.connect, timeoutMs));
    }, timeoutMs);
    const stop = () => {
      clearTimeout(timer);
      clearInterval(slowLog);
      this.pendingTimers.delete(timer);
      this.pendingTimers.delete(slowLog);
    };
    // close() clears these, so closing during a connect attempt doesn't wait for them.
    this.pendingTimers.add(timer);
    this.pendingTimers.add(slowLog);
    return stop;
  }

  private onClientState(state: State, attempt: ConnectAttempt): void {
    if (attempt.generation !== this.generation || this.closed) return;
    if (state === zookeeper.State.SYNC_CONNECTED) {
      this.onConnected(attempt);
    } else if (state === zookeeper.State.DISCONNECTED) {
      if (!this.connected) return;
      this.opts.liveness.connecting();
      this.connected = false;
      this.log.warn({ sessionId: this.sessionId }, 'ZooKeeper disconnected');
      this.opts.onState({ type: 'disconnected' });
    } else if (state === zookeeper.State.EXPIRED) {
      this.connected = false;
      const old = this.sessionId;
      this.log.warn({ sessionId: old }, 'ZooKeeper session expired; opening a new one');
      this.opts.onState({ type: 'expired', sessionId: old });
      attempt.client.removeAllListeners();
      attempt.client.close();
      void this.reopen();
    } else if (state === zookeeper.State.AUTH_FAILED) {
      this.log.error({}, 'ZooKeeper authentication failed');
    }
  }

  private onConnected(attempt: ConnectAttempt): void {
    this.opts.liveness.handshakeAnswered();
    this.connected = true;
    const id = attempt.client.getSessionId().toString('hex');
    if (!attempt.everConnected) {
      attempt.everConnected = true;
      attempt.stopWaiting();
      this.sessionId = id;
      this.log.info({ sessionId: id, first: attempt.first }, 'ZooKeeper session established');
      attempt.established();
      this.opts.onState({ type: 'session', sessionId: id, first: attempt.first });
    } else {
      this.log.info({ sessionId: id }, 'ZooKeeper reconnected with the same session');
      this.opts.liveness.pinged();
      void this.opts.ping();
      this.opts.onState({ type: 'reconnected', sessionId: id });
    }
  }

  /** After expiry: keep trying until a new session exists (or we are closed). */
  private async reopen(): Promise<void> {
    await retry(() => this.openClient(false), {
      ...REOPEN_BACKOFF,
      retriable: () => true,
      while: () => !this.closed,
      onRetry: (err) => this.log.warn({ err }, 'cannot open a new ZooKeeper session yet'),
      // Between two tries nothing else may be left to keep the process running.
      sleep: (ms, signal) => sleep(ms, signal, { holdProcess: true }),
    }).catch(() => undefined);
  }

  /** Closes the session (ephemeral nodes go at once). Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    if (this.pinger) clearInterval(this.pinger);
    for (const t of this.pendingTimers) clearTimeout(t);
    this.pendingTimers.clear();
    const client = this.client;
    this.client = null;
    this.connected = false;
    this.closing = new Promise<void>((resolve) => {
      if (!client) return resolve();
      const t = setTimeout(resolve, 2_000);
      client.once('disconnected', () => {
        clearTimeout(t);
        resolve();
      });
      client.close();
    }).then(() => {
      this.log.debug({}, 'ZooKeeper session closed');
    });
    return this.closing;
  }
}

/** Silence after which the connection is dropped and made again (the Java client's read timeout). */
export function readTimeoutMs(sessionTimeoutMs: number): number {
  return Math.floor((sessionTimeoutMs * 2) / 3);
}
