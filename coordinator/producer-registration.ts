import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode, type ProducerInfo } from './znodes.js';
import { createOwnEphemeral, recreateWhileOpen } from './own-ephemeral.js';

export class DuplicateProducerError extends Error {
  constructor(id: string) {
    super(`producer id "${id}" is already registered by another live process; choose another id`);
    this.name = 'DuplicateProducerError';
  }
}

/**
 * A producer's ephemeral node `producers/<id>`: who follows the group's range
 * count, and with which R it sends now. Re-created on every new session (an
 * expired session took it away); `update` rewrites it when R changes.
 */
export class ProducerRegistration {
  private info: ProducerInfo;
  private closed = false;
  private readonly log: Logger;
  private readonly onState = (s: SessionState) => {
    if (s.type === 'session' && !s.first && !this.closed) void this.reregister();
  };

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    info: ProducerInfo,
    logger?: Logger,
  ) {
    this.info = { ...info };
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'producer-registration', producer: info.id });
  }

  get producer(): ProducerInfo {
    return { ...this.info };
  }

  async register(): Promise<void> {
    await this.zk.ensure(this.paths.producers);
    this.zk.on('state', this.onState);
    await this.createNode();
    this.log.info({ ranges: this.info.ranges }, 'registered as a producer');
  }

  /** Says the range count this producer sends with now (and that it is not paused). */
  async update(ranges: number): Promise<void> {
    const { pausedFor: _, ...rest } = this.info;
    this.info = { ...rest, ranges };
    await this.write();
  }

  /** Says that this producer holds its sends for resize `id`, with none in flight. */
  async setPausedFor(id: string): Promise<void> {
    this.info = { ...this.info, pausedFor: id };
    await this.write();
  }

  private async write(): Promise<void> {
    if (this.closed) return;
    await this.zk.setData(this.paths.producer(this.info.id), encode(this.info), -1);
  }

  /** Deletes the node (it would go with the session anyway). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.zk.off('state', this.onState);
    const path = this.paths.producer(this.info.id);
    try {
      const node = await this.zk.getDataOrNull(path);
      if (node && this.zk.ownsEphemeral(node.stat)) await this.zk.remove(path, node.stat.version);
    } catch (err) {
      this.log.debug({ err }, 'producer node not deleted; it goes with the session');
    }
  }

  private async createNode(): Promise<void> {
    const path = this.paths.producer(this.info.id);
    for (;;) {
      const res = await createOwnEphemeral(this.zk, path, encode(this.info));
      if (res === 'vanished') continue;
      if (res === 'created' || res === 'ours') return;
      throw new DuplicateProducerError(this.info.id);
    }
  }

  private async reregister(): Promise<void> {
    try {
      if (await recreateWhileOpen(() => this.createNode(), () => !this.closed, (err) => this.log.warn({ err }, 'cannot re-register yet'))) {
        this.log.info({}, 're-registered after a new ZooKeeper session');
      }
    } catch (err) {
      this.log.error({ err }, 'cannot re-register');
    }
  }
}
