import { EventEmitter } from 'node:events';
import zookeeper from 'node-zookeeper-client';
import type { Client, Stat, Event as ZkEvent, ACL } from 'node-zookeeper-client';
import { pino, type Logger } from 'pino';
import { ZkError, isZkCode, ZK } from './zk-errors.js';
import { SessionLiveness, boundedRequest, type ClientCall } from './zk-liveness.js';
import { ZkConnection, readTimeoutMs, type SessionState } from './zk-connection.js';
import { retry } from './retry.js';

export type { Stat, ZkEvent };
export { ConnectTimeoutError } from './zk-connection.js';
export type { SessionState } from './zk-connection.js';

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

const CREATE_MODE = zookeeper.CreateMode;

/**
 * Wire sizes of read replies (jute): 4-byte length prefix + 16-byte reply
 * header, a Stat is 68 bytes, a buffer or string is 4 bytes of length + its bytes.
 */
const REPLY_FRAME_BYTES = 4 + 16;
const STAT_BYTES = 68;

/**
 * A promise-based ZooKeeper session over node-zookeeper-client with one place
 * that reacts to connection state (`ZkConnection`: a new client and a new
 * `session` after an expiry; users re-register their ephemeral nodes and
 * watches when they see it).
 *
 * It also keeps the time of the last successful reply (`SessionLiveness`),
 * which is what the poller's self-fencing deadline is computed from; a cheap
 * read runs every session-timeout/3 to renew it.
 */
export class ZkSession extends EventEmitter {
  readonly sessionTimeoutMs: number;
  readonly acls: ACL[];
  readonly parentAcls: ACL[];
  private readonly opts: ZkSessionOptions;
  private readonly now: () => number;
  private readonly liveness: SessionLiveness;
  private readonly connection: ZkConnection;
  private readReplyBytes = 0;

  constructor(opts: ZkSessionOptions) {
    super();
    this.opts = opts;
    this.sessionTimeoutMs = opts.sessionTimeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.acls = opts.acls ?? (zookeeper.ACL as unknown as { OPEN_ACL_UNSAFE: ACL[] }).OPEN_ACL_UNSAFE;
    this.parentAcls = opts.parentAcls ?? this.acls;
    this.setMaxListeners(0);
    this.liveness = new SessionLiveness(this.sessionTimeoutMs, this.now);
    this.connection = new ZkConnection({
      connect: opts.connect,
      sessionTimeoutMs: this.sessionTimeoutMs,
      ...(opts.connectTimeoutMs !== undefined ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      ...(opts.auth ? { auth: opts.auth } : {}),
      log: (opts.logger ?? pino({ level: 'silent' })).child({ component: 'zk-session' }),
      liveness: this.liveness,
      onState: (s) => this.emit('state', s),
      ping: () => this.ping(),
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  get sessionId(): string {
    return this.connection.sessionId;
  }

  /** Incremented with every new session; leases remember the one that made them. */
  get sessionGeneration(): number {
    return this.connection.generation;
  }

  get lastReplyAt(): number {
    return this.liveness.lastReplyAt;
  }

  /**
   * Until when this process may assume it still holds its ephemeral nodes
   * (see `SessionLiveness.deadline`).
   */
  deadline(): number {
    return this.liveness.deadline();
  }

  withinDeadline(): boolean {
    return this.connection.connected && this.now() < this.deadline();
  }

  /** Silence after which the connection is dropped and made again (the Java client's read timeout). */
  get readTimeoutMs(): number {
    return readTimeoutMs(this.sessionTimeoutMs);
  }

  /** The current client (tests reach the session through it). */
  private get client(): Client | null {
    return this.connection.client;
  }

  override on(event: 'state', listener: (s: SessionState) => void): this;
  override on(event: string, listener: (...args: any[]) => void): this {
    return super.on(event, listener);
  }

  /** Connects; retries (the client does) until connectTimeoutMs, then gives up with a clear error. */
  start(): Promise<void> {
    return this.connection.start();
  }

  /**
   * Bytes of the replies to this session's reads (getData, exists,
   * getChildren) as they cross the wire, pings excluded: what reading the
   * group costs a member, for the scale benchmark and metrics.
   */
  get bytesRead(): number {
    return this.readReplyBytes;
  }

  /** A cheap read that proves ZooKeeper still answers us (feeds the deadline). */
  async ping(): Promise<boolean> {
    if (!this.client || this.connection.closed) return false;
    try {
      await this.read('/', (c, cb) => c.exists('/', (err, stat) => cb(err, stat ?? null)));
      return true;
    } catch {
      return false;
    }
  }

  /** Runs one client call with a bound, records the reply time, and normalises errors. */
  private call<T>(path: string, fn: ClientCall<T>): Promise<T> {
    const client = this.client;
    if (!client || this.connection.closed) throw new ZkError(ZK.CONNECTION_LOSS, 'ZooKeeper session is closed');
    return boundedRequest(client, path, this.opts.opTimeoutMs ?? this.sessionTimeoutMs, this.liveness, fn);
  }

  /**
   * A read that meets a dropped connection (the server went away, or the
   * watchdog left a silent one) waits for the connection to come back and
   * tries again, within the operation timeout: reads are safe to repeat, and
   * a process starting up during a ZooKeeper hiccup should not die of it.
   */
  private read<T>(path: string, fn: ClientCall<T>): Promise<T> {
    return this.againOnConnectionLoss(() => this.call(path, fn));
  }

  /** `attempt` once more each time the connection drops under it, until the operation timeout: only for what is safe to repeat. */
  private againOnConnectionLoss<T>(attempt: () => Promise<T>): Promise<T> {
    const until = this.now() + (this.opts.opTimeoutMs ?? this.sessionTimeoutMs);
    return retry(attempt, {
      initialMs: 0,
      maxMs: 0,
      retriable: (err) => isZkCode(err, ZK.CONNECTION_LOSS) && !this.connection.closed && this.now() < until,
      sleep: () => this.whenConnected(until - this.now()),
    });
  }

  /**
   * Resolves once connected (after a short pause if connected now, so a
   * caller retrying in a loop does not spin), or after `ms` at the latest.
   */
  whenConnected(ms: number): Promise<void> {
    if (this.connection.connected) return new Promise((r) => setTimeout(r, 10));
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
      const done = (err: unknown, data: Buffer, stat: Stat) => {
        this.countRead(err, 4 + (data?.length ?? 0) + STAT_BYTES);
        cb(err, { data: data ?? Buffer.alloc(0), stat });
      };
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
      const done = (err: unknown, children: string[]) => {
        this.countRead(err, 4 + (children ?? []).reduce((n, c) => n + 4 + Buffer.byteLength(c), 0));
        cb(err, children ?? []);
      };
      if (watch) c.getChildren(path, watch, done);
      else c.getChildren(path, done);
    });
  }

  exists(path: string, watch?: (e: ZkEvent) => void): Promise<Stat | null> {
    return this.read(path, (c, cb) => {
      const done = (err: unknown, stat: Stat) => {
        this.countRead(err, stat ? STAT_BYTES : 0);
        cb(err, stat ?? null);
      };
      if (watch) c.exists(path, watch, done);
      else c.exists(path, done);
    });
  }

  private countRead(err: unknown, body: number): void {
    this.readReplyBytes += REPLY_FRAME_BYTES + (err ? 0 : body);
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

  /**
   * Creates a persistent node unless it exists already. Repeated, like a
   * read, when the connection drops under it: a create that did land makes
   * the next attempt find the node.
   */
  async ensure(path: string, data: Buffer = Buffer.alloc(0), acls: ACL[] = this.acls): Promise<void> {
    await this.againOnConnectionLoss(async () => {
      try {
        await this.create(path, data, 'persistent', acls);
      } catch (err) {
        if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
      }
    });
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
    if (generation !== undefined && generation !== this.connection.generation) {
      return Promise.reject(new ZkError(ZK.SESSION_EXPIRED, 'the session this operation belongs to has expired'));
    }
    const what = ops.length > 1 ? `${ops[0]!.path} (+${ops.length - 1} ops)` : (ops[0]?.path ?? 'multi');
    return this.call(what, (c, cb) => {
      let tx = c.transaction();
      for (const o of ops) {
        if (o.op === 'create') tx = tx.create(o.path, o.data, this.acls, o.mode ?? CREATE_MODE.PERSISTENT);
        else if (o.op === 'setData') tx = exactVersion(tx.setData(o.path, o.data, o.version), o.version);
        else if (o.op === 'check') tx = exactVersion(tx.check(o.path, o.version), o.version);
        else tx = exactVersion(tx.remove(o.path, o.version), o.version);
      }
      tx.commit((err, results) => cb(err ? failedOp(err, results, ops) : err, results as unknown[]));
    });
  }

  /** Whether `stat` describes an ephemeral node of our current session. */
  ownsEphemeral(stat: Stat): boolean {
    return this.sessionId !== '' && stat.ephemeralOwner.toString('hex') === this.sessionId;
  }

  /** Closes the session (ephemeral nodes go at once). Idempotent. */
  close(): Promise<void> {
    return this.connection.close();
  }
}

/** The error of a failed multi, naming the op that failed it (ZooKeeper gives every op a result; that one's is not OK). */
function failedOp(err: unknown, results: unknown, ops: Op[]): unknown {
  if (!Array.isArray(results)) return err;
  // The ops after the failing one are answered RUNTIME_INCONSISTENCY (-2), the ones before OK.
  const i = results.findIndex((r: { err?: number }) => typeof r?.err === 'number' && r.err !== 0 && r.err !== ZK.RUNTIME_INCONSISTENCY);
  if (i < 0 || i >= ops.length) return err;
  const base = ZkError.from(err, ops[i]!.path);
  return new ZkError(base.code, base.message, ops[i]!.path, i);
}

/**
 * node-zookeeper-client's Transaction turns a version of 0 into -1 ("any
 * version"): check(leases/r, 0) would only check that the lease exists. Put
 * the version asked for back on the op just added.
 */
function exactVersion<T>(tx: T, version: number): T {
  const ops = (tx as unknown as { ops: { version?: number }[] }).ops;
  ops[ops.length - 1]!.version = version;
  return tx;
}
