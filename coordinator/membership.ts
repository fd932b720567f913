import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode, parseMember, type MemberInfo, type MemberState, type Unhealthy } from './znodes.js';
import { isZkCode, ZK } from './zk-errors.js';
import { retry } from './retry.js';
import { waitForDeletion } from './deletion-wait.js';
import { createOwnEphemeral, recreateWhileOpen } from './own-ephemeral.js';

export class DuplicateMemberError extends Error {
  constructor(id: string, detail: string) {
    super(`poller id "${id}" is already registered by a live process (${detail}); choose another --id`);
    this.name = 'DuplicateMemberError';
  }
}

/**
 * This process's ephemeral member node `pollers/<id>`. It is re-created on
 * every new session (an expired session took it away) with the state it had.
 * It watches its own node: `ringleader drain <id>` sets the state to
 * `draining` from outside, and then this emits `drain-requested`.
 */
export class Membership extends EventEmitter {
  private info: MemberInfo;
  private registered = false;
  private closed = false;
  private readonly log: Logger;
  private readonly onState = (s: SessionState) => {
    if (s.type === 'session' && !s.first && !this.closed) void this.reregister();
    if (s.type === 'reconnected' && !this.closed) void this.watchOwnNode();
  };

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    info: MemberInfo,
    logger?: Logger,
    private readonly waitForStaleMs = zk.sessionTimeoutMs * 2,
  ) {
    super();
    this.info = { ...info };
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'membership', poller: info.id });
  }

  get state(): MemberState {
    return this.info.state;
  }

  get member(): MemberInfo {
    return { ...this.info };
  }

  async register(): Promise<void> {
    this.zk.on('state', this.onState);
    await this.createNode();
    this.registered = true;
    this.log.info({ weight: this.info.weight }, 'registered as a member');
    await this.watchOwnNode();
  }

  private readonly onOwnNodeChanged = () => void this.watchOwnNode();

  /**
   * Reads our node and leaves a watch on it. Resolves once the watch is set
   * or the first attempt failed: a lost watch would silently ignore
   * `ringleader drain`, so the attempts go on in the background every 500 ms.
   */
  private watchOwnNode(): Promise<void> {
    return new Promise<void>((firstAttemptDone) => {
      retry(() => this.readOwnNode(), {
        initialMs: 500,
        maxMs: 500,
        retriable: () => true,
        while: () => !this.closed && this.registered,
        onRetry: (err) => {
          this.log.debug({ err }, 'cannot watch our member node yet; retrying');
          firstAttemptDone();
        },
      }).then(firstAttemptDone, firstAttemptDone);
    });
  }

  private async readOwnNode(): Promise<void> {
    const node = await this.zk.getDataOrNull(this.paths.poller(this.info.id), this.onOwnNodeChanged);
    if (!node) return;
    const parsed = parseMember(node.data, this.info.id);
    if (!parsed.ok) {
      this.log.error({ error: parsed.error }, 'our member node holds malformed data; ignoring it');
      return;
    }
    if (parsed.value.state === 'draining' && this.info.state === 'active') {
      this.info.state = 'draining';
      this.log.info({}, 'drain requested from outside');
      this.emit('drain-requested');
    }
  }

  /**
   * A node with our id may still exist from a previous process of the same
   * id that was killed: it disappears when that session expires, so wait for
   * that instead of failing at once.
   */
  private async createNode(): Promise<void> {
    const path = this.paths.poller(this.info.id);
    const deadline = Date.now() + this.waitForStaleMs;
    for (;;) {
      let res: Awaited<ReturnType<typeof createOwnEphemeral>>;
      try {
        res = await createOwnEphemeral(this.zk, path, encode(this.info));
      } catch (err) {
        if (isZkCode(err, ZK.CONNECTION_LOSS) && Date.now() < deadline) {
          // The connection dropped under the create (a server went away or
          // went silent): try again once it is back; if it had gone through,
          // the retry finds our own node. A poller starting during a
          // ZooKeeper hiccup must not die of it.
          await this.zk.whenConnected(deadline - Date.now());
          continue;
        }
        throw err;
      }
      if (res === 'vanished') continue;
      if (res === 'created' || res === 'ours') return;
      const other = parseMember(res.other.data);
      const detail = other.ok ? `host ${other.value.host}, pid ${other.value.pid}` : 'unreadable member data';
      if (Date.now() >= deadline) throw new DuplicateMemberError(this.info.id, detail);
      this.log.warn({ detail }, 'a member node with our id still exists; waiting for its session to expire');
      await waitForDeletion(this.zk, path, Math.max(0, deadline - Date.now()));
    }
  }

  private async reregister(): Promise<void> {
    // Even a DuplicateMemberError is retried: the other node may still go away.
    if (!(await recreateWhileOpen(() => this.createNode(), () => !this.closed, (err) => this.log.warn({ err }, 'cannot re-register yet')))) return;
    this.log.info({}, 're-registered after a new ZooKeeper session');
    await this.watchOwnNode();
  }

  async setState(state: MemberState): Promise<void> {
    this.info.state = state;
    if (!this.registered) return;
    await this.zk.setData(this.paths.poller(this.info.id), encode(this.info), -1);
    this.log.info({ state }, 'member state changed');
  }

  get unhealthy(): Unhealthy | undefined {
    return this.info.unhealthy ? { ...this.info.unhealthy } : undefined;
  }

  /**
   * Marks us unhealthy (the leader moves our ranges to healthy pollers) or,
   * with null, healthy again.
   */
  async setUnhealthy(unhealthy: Unhealthy | null): Promise<void> {
    if (unhealthy) this.info.unhealthy = { ...unhealthy };
    else delete this.info.unhealthy;
    if (await this.rewrite()) this.log.info({ unhealthy: this.info.unhealthy ?? null }, unhealthy ? 'marked unhealthy' : 'healthy again');
  }

  /** Says (or, with null, stops saying) that we hold for a resize's cut-over: what `ringleader resize` waits for. */
  async setPausedFor(id: string | null): Promise<void> {
    if (id) this.info.pausedFor = id;
    else delete this.info.pausedFor;
    await this.rewrite();
  }

  /**
   * Writes our data over our node, read-modify-write on its version, so a
   * `draining` written from outside meanwhile is kept, never overwritten.
   * False when we are not registered right now (re-registration writes
   * this.info).
   */
  private async rewrite(): Promise<boolean> {
    if (!this.registered) return false;
    const path = this.paths.poller(this.info.id);
    for (;;) {
      const node = await this.zk.getDataOrNull(path);
      if (!node) return false;
      const parsed = parseMember(node.data, this.info.id);
      if (parsed.ok && parsed.value.state === 'draining') this.info.state = 'draining';
      try {
        await this.zk.setData(path, encode(this.info), node.stat.version);
        return true;
      } catch (err) {
        if (!isZkCode(err, ZK.BAD_VERSION)) throw err;
      }
    }
  }

  async deregister(): Promise<void> {
    this.closed = true;
    this.zk.off('state', this.onState);
    if (!this.registered) return;
    this.registered = false;
    try {
      await this.zk.remove(this.paths.poller(this.info.id), -1);
    } catch (err) {
      if (!isZkCode(err, ZK.NO_NODE)) throw err;
    }
  }
}
