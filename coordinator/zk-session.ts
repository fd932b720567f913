import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import type { Client, Stat, Event as ZkEvent, ACL } from 'node-zookeeper-client';
import { pino, type Logger } from 'pino';
import { ZkError, isZkCode, ZK } from './zk-errors.js';
import { ConnectionWatchdog, type LibrarySocket } from './connection-watchdog.js';

export type { Stat, ZkEvent };

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

export type Op =
  | { op: 'create'; path: string; data: Buffer; mode?: number }
  | { op: 'setData'; path: string; data: Buffer; version: number }
  | { op: 'check'; path: string; version: number }
  | { op: 'remove'; path: string; version: number };

export interface ZkSessionOptions {
  /** Connect string, e.g. `127.0.0.1:2181,127.0.0.1:2182/chroot`. */
  connect: string;
  sessionTimeoutMs?: number;
  /** How long start() keeps trying to reach ZooKeeper before giving up. */
  connectTimeoutMs?: number;
  /** Per-operation bound: node-zookeeper-client queues requests while disconnected and would wait forever. */
  opTimeoutMs?: number;
  /** `scheme:auth` pairs added to every client, e.g. digest credentials. */
  auth?: { scheme: string; auth: string }[];
  /** ACL of every node this session creates (default: open). */
  acls?: ACL[];
  /**
   * ACL of the ancestors `mkdirp` creates above the node it was asked for
   * (e.g. the shared `/ringleader` root, which other groups must be able to
   * create their nodes under). Default: `acls`.
   */
  parentAcls?: ACL[];
  logger?: Logger;
  now?: () => number;
}

export class ConnectTimeoutError extends Error {
  constructor(connect: string, ms: number) {
    super(`cannot reach ZooKeeper at ${connect} within ${ms} ms; is it running? (start one with: npm run infra -- up)`);
    this.name = 'ConnectTimeoutError';
  }
}

const CREATE_MODE = zookeeper.CreateMode;

/**
 * A promise-based ZooKeeper session over node-zookeeper-client with one place
 * that reacts to connection state. An expired client cannot be reused, so on
 * expiry this makes a new one and announces a new `session`; users re-register
 * their ephemeral nodes and watches when they see it.
 *
 * It also keeps the time of the last successful reply, which is what the
 * poller's self-fencing deadline is computed from: the library may stay
 * "connected" through a silent partition (node-zookeeper-client issue #13),
 * so a cheap read runs every session-timeout/3.
 * That library also lacks the Java client's read and handshake timeouts,
 * which `ConnectionWatchdog` supplies.
 */
export class ZkSession extends EventEmitter {
  readonly sessionTimeoutMs: number;
  private readonly opts: ZkSessionOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  private client: Client | null = null;
  private generation = 0;
  private connectedNow = false;
  private lastReply = 0;
  /** When a reply was last *received* (lastReply is when its request was sent). */
  private lastHeard = 0;
  private lastPing = 0;
  /** When the current (re)connection attempt began: a handshake answer proves the session alive no later than this. */
  private connectingSince = 0;
  private pinger: NodeJS.Timeout | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly pendingTimers = new Set<NodeJS.Timeout>();
  private currentSessionId = '';
  readonly acls: ACL[];
  readonly parentAcls: ACL[];
  private readonly watchdog: ConnectionWatchdog;

  constructor(opts: ZkSessionOptions) {
    super();
    this.opts = opts;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 10_000;
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'zk-session' });
    this.now = opts.now ?? Date.now;
    this.acls = opts.acls ?? (zookeeper.ACL as unknown as { OPEN_ACL_UNSAFE: ACL[] }).OPEN_ACL_UNSAFE;
    this.parentAcls = opts.parentAcls ?? this.acls;
    this.setMaxListeners(0);
    const servers = opts.connect.split('/')[0]!.split(',').length;
    this.watchdog = new ConnectionWatchdog(
      {
        connected: () => this.connectedNow,
        lastHeard: () => this.lastHeard,
        socket: () => (this.client as unknown as { connectionManager?: { socket?: LibrarySocket } } | null)?.connectionManager?.socket,
      },
      {
        readTimeoutMs: this.readTimeoutMs,
        handshakeTimeoutMs: Math.floor(this.sessionTimeoutMs / servers),
        now: this.now,
        onDrop: (why, ms) =>
          this.log.warn(
            { sessionId: this.currentSessionId, why, ms },
            why === 'silent'
              ? 'ZooKeeper server silent for longer than the read timeout; dropping the connection to reconnect'
              : 'ZooKeeper server accepted the connection but did not answer; trying the next server',
          ),
      },
    );
  }

  get connected(): boolean {
    return this.connectedNow;
  }

  get sessionId(): string {
    return this.currentSessionId;
  }

  /** Incremented with every new session; leases remember the one that made them. */
  get sessionGeneration(): number {
    return this.generation;
  }

  get lastReplyAt(): number {
    return this.lastReply;
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

  withinDeadline(): boolean {
    return this.connectedNow && this.now() < this.deadline();
  }

  /** Silence after which the connection is dropped and made again (the Java client's read timeout). */
  get readTimeoutMs(): number {
    return Math.floor((this.sessionTimeoutMs * 2) / 3);
  }

  override on(event: 'state', listener: (s: SessionState) => void): this;
  override on(event: string, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  /** Connects; retries (the client does) until connectTimeoutMs, then gives up with a clear error. */
  async start(): Promise<void> {
    if (this.client) throw new Error('ZkSession already started');
    // Ticks at 1/12 of the timeout: a ping every 1/3, a silent connection
    // dropped by 3/4 of the session timeout at the latest. Runs during the
    // first connect too, so a server that accepts but never answers is left
    // for the next one.
    this.pinger = setInterval(() => this.tick(), Math.max(25, Math.floor(this.sessionTimeoutMs / 12)));
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
    if (this.connectedNow && this.now() - this.lastPing >= this.sessionTimeoutMs / 3 - 5) {
      this.lastPing = this.now();
      void this.ping();
    }
    if (!this.closed) this.watchdog.check();
  }

  private openClient(first: boolean): Promise<void> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 30_000;
    const client = zookeeper.createClient(this.opts.connect, {
      sessionTimeout: this.sessionTimeoutMs,
      spinDelay: 250,
      retries: 0,
    });
    for (const a of this.opts.auth ?? []) client.addAuthInfo(a.scheme, Buffer.from(a.auth));
    this.client = client;
    this.connectingSince = this.now();
    const generation = ++this.generation;
    let everConnected = false;

    return new Promise<void>((resolve, reject) => {
      const started = this.now();
      const slowLog: NodeJS.Timeout = setInterval(() => {
        this.log.warn({ connect: this.opts.connect, waitedMs: this.now() - started }, 'still trying to reach ZooKeeper');
      }, 2_000);
      const timer: NodeJS.Timeout = setTimeout(() => {
        clearInterval(slowLog);
        this.pendingTimers.delete(timer);
        this.pendingTimers.delete(slowLog);
        if (everConnected) return;
        client.removeAllListeners();
        client.close();
        if (this.client === client) this.client = null;
        reject(new ConnectTimeoutError(this.opts.connect, timeoutMs));
      }, timeoutMs);

      // close() clears these, so closing during a connect attempt doesn't wait for them.
      this.pendingTimers.add(timer);
      this.pendingTimers.add(slowLog);
      client.on('state', (state) => {
        if (generation !== this.generation || this.closed) return;
        if (state === zookeeper.State.SYNC_CONNECTED) {
          // The server vouched for the session when it answered the
          // handshake, which may be long before we read the answer (a
          // process stopped with SIGSTOP reads it after SIGCONT): the proof
          // dates from when the reconnection began, and a ping sent now
          // renews it.
          this.lastReply = Math.max(this.lastReply, this.connectingSince);
          this.lastHeard = this.now();
          this.connectedNow = true;
          const id = client.getSessionId().toString('hex');
          if (!everConnected) {
            everConnected = true;
            clearTimeout(timer);
            clearInterval(slowLog);
            this.pendingTimers.delete(timer);
            this.pendingTimers.delete(slowLog);
            this.currentSessionId = id;
            this.log.info({ sessionId: id, first }, 'ZooKeeper session established');
            resolve();
            this.emitState({ type: 'session', sessionId: id, first });
          } else {
            this.log.info({ sessionId: id }, 'ZooKeeper reconnected with the same session');
            this.lastPing = this.now();
            void this.ping();
            this.emitState({ type: 'reconnected', sessionId: id });
          }
        } else if (state === zookeeper.State.DISCONNECTED) {
          if (!this.connectedNow) return;
          this.connectingSince = this.now();
          this.connectedNow = false;
          this.log.warn({ sessionId: this.currentSessionId }, 'ZooKeeper disconnected');
          this.emitState({ type: 'disconnected' });
        } else if (state === zookeeper.State.EXPIRED) {
          this.connectedNow = false;
          const old = this.currentSessionId;
          this.log.warn({ sessionId: old }, 'ZooKeeper session expired; opening a new one');
          this.emitState({ type: 'expired', sessionId: old });
          client.removeAllListeners();
          client.close();
          void this.reopen();
        } else if (state === zookeeper.State.AUTH_FAILED) {
          this.log.error({}, 'ZooKeeper authentication failed');
        }
      });
      client.connect();
    });
  }

  /** After expiry: keep trying until a new session exists (or we are closed). */
  private async reopen(): Promise<void> {
    let delay = 250;
    while (!this.closed) {
      try {
        await this.openClient(false);
        return;
      } catch (err) {
        this.log.warn({ err }, 'cannot open a new ZooKeeper session yet');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }

  private emitState(s: SessionState): void {
    this.emit('state', s);
  }

  private noteReply(sentAt: number): void {
    if (sentAt > this.lastReply) this.lastReply = sentAt;
    this.lastHeard = this.now();
  }

  /** A cheap read that proves ZooKeeper still answers us (feeds the deadline). */
  async ping(): Promise<boolean> {
    if (!this.client || this.closed) return false;
    try {
      await this.exists('/');
      return true;
    } catch {
      return false;
    }
  }

  private requireClient(): Client {
    if (!this.client || this.closed) throw new ZkError(ZK.CONNECTION_LOSS, 'ZooKeeper session is closed');
    return this.client;
  }

  /** Runs one client call with a bound, records the reply time, and normalises errors. */
  private call<T>(path: string, fn: (c: Client, cb: (err: unknown, value?: T) => void) => void): Promise<T> {
    const client = this.requireClient();
    const timeoutMs = this.opts.opTimeoutMs ?? this.sessionTimeoutMs;
    // The reply proves the session was alive when the server handled the
    // request, which may be long before the reply is read (a process stopped
    // with SIGSTOP reads it only after SIGCONT): the deadline counts from the
    // time the request was sent.
    const sentAt = this.now();
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
          if (e.code !== ZK.CONNECTION_LOSS && e.code !== ZK.SESSION_EXPIRED) this.noteReply(sentAt);
          reject(e);
        } else {
          this.noteReply(sentAt);
          resolve(value as T);
        }
      });
    });
  }

  /**
   * A read that meets a dropped connection (the server went away, or the
   * watchdog left a silent one) waits for the connection to come back and
   * tries again, within the operation timeout: reads are safe to repeat, and
   * a process starting up during a ZooKeeper hiccup should not die of it.
   */
  private async read<T>(path: string, fn: (c: Client, cb: (err: unknown, value?: T) => void) => void): Promise<T> {
    const until = this.now() + (this.opts.opTimeoutMs ?? this.sessionTimeoutMs);
    for (;;) {
      try {
        return await this.call(path, fn);
      } catch (err) {
        if (!isZkCode(err, ZK.CONNECTION_LOSS) || this.closed || this.now() >= until) throw err;
        await this.whenConnected(until - this.now());
      }
    }
  }

  /**
   * Resolves once connected (after a short pause if connected now, so a
   * caller retrying in a loop does not spin), or after `ms` at the latest.
   */
  whenConnected(ms: number): Promise<void> {
    if (this.connectedNow) return new Promise((r) => setTimeout(r, 10));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.off('state', onState);
        resolve();
      };
      const onState = (st: SessionState) => {
        if (st.type === 'reconnected' || st.type === 'session') done();
      };
      // Unref'd: a process shutting down does not wait for it.
      const t = setTimeout(done, Math.max(0, ms));
      t.unref();
      this.on('state', onState);
    });
  }

  getData(path: string, watch?: (e: ZkEvent) => void): Promise<{ data: Buffer; stat: Stat }> {
    return this.read(path, (c, cb) => {
      const done = (err: unknown, data: Buffer, stat: Stat) => cb(err, { data: data ?? Buffer.alloc(0), stat });
      if (watch) c.getData(path, watch, done);
      else c.getData(path, done);
    });
  }

  /** Like getData, but null when the node does not exist. */
  async getDataOrNull(path: string, watch?: (e: ZkEvent) => void): Promise<{ data: Buffer; stat: Stat } | null> {
    try {
      return await this.getData(path, watch);
    } catch (err) {
      if (isZkCode(err, ZK.NO_NODE)) return null;
      throw err;
    }
  }

  getChildren(path: string, watch?: (e: ZkEvent) => void): Promise<string[]> {
    return this.read(path, (c, cb) => {
      const done = (err: unknown, children: string[]) => cb(err, children ?? []);
      if (watch) c.getChildren(path, watch, done);
      else c.getChildren(path, done);
    });
  }

  exists(path: string, watch?: (e: ZkEvent) => void): Promise<Stat | null> {
    return this.read(path, (c, cb) => {
      const done = (err: unknown, stat: Stat) => cb(err, stat ?? null);
      if (watch) c.exists(path, watch, done);
      else c.exists(path, done);
    });
  }

  create(
    path: string,
    data: Buffer,
    mode: 'persistent' | 'ephemeral' | 'ephemeral-sequential' = 'persistent',
    acls: ACL[] = this.acls,
  ): Promise<string> {
    const m =
      mode === 'ephemeral'
        ? CREATE_MODE.EPHEMERAL
        : mode === 'ephemeral-sequential'
          ? CREATE_MODE.EPHEMERAL_SEQUENTIAL
          : CREATE_MODE.PERSISTENT;
    return this.call(path, (c, cb) => c.create(path, data, acls, m, (err, p) => cb(err, p)));
  }

  /** Creates a persistent node unless it exists already. */
  async ensure(path: string, data: Buffer = Buffer.alloc(0), acls: ACL[] = this.acls): Promise<void> {
    try {
      await this.create(path, data, 'persistent', acls);
    } catch (err) {
      if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
    }
  }

  /** Creates every missing persistent node along `path` (ancestors with `parentAcls`, `path` itself with `acls`). */
  async mkdirp(path: string): Promise<void> {
    const parts = path.split('/').filter(Boolean);
    let cur = '';
    for (const [i, part] of parts.entries()) {
      cur += `/${part}`;
      await this.ensure(cur, Buffer.alloc(0), i === parts.length - 1 ? this.acls : this.parentAcls);
    }
  }

  /** The ACL of a node (NO_NODE if it does not exist). */
  getACL(path: string): Promise<{ acls: ACL[]; stat: Stat }> {
    return this.call(path, (c, cb) => c.getACL(path, (err, acls, stat) => cb(err, { acls: acls ?? [], stat })));
  }

  setACL(path: string, acls: ACL[], version = -1): Promise<Stat> {
    return this.call(path, (c, cb) => c.setACL(path, acls, version, (err, stat) => cb(err, stat)));
  }

  setData(path: string, data: Buffer, version = -1): Promise<Stat> {
    return this.call(path, (c, cb) => c.setData(path, data, version, (err, stat) => cb(err, stat)));
  }

  remove(path: string, version = -1): Promise<void> {
    return this.call(path, (c, cb) => c.remove(path, version, (err) => cb(err)));
  }

  /**
   * An atomic multi-op: all succeed or none does (the first failing op's error
   * is thrown). With `generation`, it is sent only through that session: a
   * lease's fenced commit must never travel through a newer session.
   */
  multi(ops: Op[], generation?: number): Promise<unknown[]> {
    if (generation !== undefined && generation !== this.generation) {
      return Promise.reject(new ZkError(ZK.SESSION_EXPIRED, 'the session this operation belongs to has expired'));
    }
    return this.call(ops.map((o) => o.path).join(','), (c, cb) => {
      let tx = c.transaction();
      for (const o of ops) {
        if (o.op === 'create') tx = tx.create(o.path, o.data, this.acls, o.mode ?? CREATE_MODE.PERSISTENT);
        else if (o.op === 'setData') tx = tx.setData(o.path, o.data, o.version);
        else if (o.op === 'check') tx = tx.check(o.path, o.version);
        else tx = tx.remove(o.path, o.version);
      }
      tx.commit((err, results) => cb(err, results as unknown[]));
    });
  }

  /** Whether `stat` describes an ephemeral node of our current session. */
  ownsEphemeral(stat: Stat): boolean {
    return this.currentSessionId !== '' && stat.ephemeralOwner.toString('hex') === this.currentSessionId;
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
    this.connectedNow = false;
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
