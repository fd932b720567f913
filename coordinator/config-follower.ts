import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseConfig, type GroupConfig } from './znodes.js';
import { retry, RetryAbortedError } from './retry.js';

/**
 * Keeps the group's `config` in view: reads it with a watch, and reads it
 * again on every change, reconnect and new session (a watch can be lost
 * while the connection moves), telling `onChange` about each new version.
 * A malformed or missing config after the first read is logged and the last
 * good one kept: a producer must not stop on a bad write.
 */
export class ConfigFollower {
  private current: { config: GroupConfig; version: number } | null = null;
  private closed = false;
  private readonly log: Logger;
  private readonly onState = (s: SessionState) => {
    if ((s.type === 'reconnected' || (s.type === 'session' && !s.first)) && !this.closed) this.rewatch();
  };
  private readonly onChanged = () => this.rewatch();

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly onChange: (config: GroupConfig, previous: GroupConfig) => void,
    logger?: Logger,
  ) {
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'config-follower', group: paths.group });
  }

  /** The first read (the caller checked it exists: readGroupConfig); later changes go to onChange. */
  async start(): Promise<GroupConfig> {
    this.zk.on('state', this.onState);
    await this.read();
    if (!this.current) throw new Error(`${this.paths.config} vanished or is malformed`);
    return this.current.config;
  }

  get config(): GroupConfig {
    if (!this.current) throw new Error('ConfigFollower not started');
    return this.current.config;
  }

  /** Reads the config now (our session's latest view), reports a newer version to onChange, and returns it. */
  async refresh(): Promise<GroupConfig> {
    await this.read();
    return this.config;
  }

  close(): void {
    this.closed = true;
    this.zk.off('state', this.onState);
  }

  private rewatch(): void {
    if (this.closed) return;
    retry(() => this.read(), {
      initialMs: 200,
      maxMs: 2_000,
      retriable: () => true,
      while: () => !this.closed,
      onRetry: (err) => this.log.debug({ err }, 'cannot read the config yet; retrying'),
    }).catch((err: unknown) => {
      if (!(err instanceof RetryAbortedError)) this.log.error({ err }, 'stopped following the config');
    });
  }

  private async read(): Promise<void> {
    const node = await this.zk.getDataOrNull(this.paths.config, this.onChanged);
    if (this.closed) return;
    if (!node) {
      this.log.error({ path: this.paths.config }, 'the group config is gone; keeping the last one read');
      return;
    }
    const parsed = parseConfig(node.data);
    if (!parsed.ok) {
      this.log.error({ error: parsed.error }, 'the group config is malformed; keeping the last one read');
      return;
    }
    const version = node.stat.version;
    const before = this.current;
    if (before && version <= before.version) return;
    this.current = { config: parsed.value, version };
    if (before) this.onChange(parsed.value, before.config);
  }
}
