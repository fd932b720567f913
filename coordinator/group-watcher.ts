import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { readGroupSnapshot, type GroupSnapshot, type EndOffsets } from './group-snapshot.js';
import { GroupEventDiffer, type GroupEvent } from './group-events.js';
import { CoalescingRunner } from './coalescing-runner.js';

export interface GroupWatcherOptions {
  zk: ZkSession;
  paths: GroupPaths;
  /** Safety-net refresh, and the rate at which lag is sampled. */
  refreshMs?: number;
  endOffsets?: EndOffsets;
  logger?: Logger;
  now?: () => number;
}

/**
 * Follows a group for `ringleader watch`: ZooKeeper watches on members,
 * leader candidates, assignment and leases trigger a re-read; each re-read
 * is diffed into events. Emits `snapshot` (GroupSnapshot) and `event`
 * (GroupEvent). Re-arms its watches on a new session, so it rides out
 * ZooKeeper restarts by itself.
 */
export class GroupWatcher extends EventEmitter {
  private readonly differ = new GroupEventDiffer();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  /** One re-read at a time; triggers during one make one more. */
  private readonly refresher = new CoalescingRunner(() => this.refreshOnce());
  private closed = false;
  private readonly trigger = () => void this.refresh();
  private readonly onSession = (s: SessionState) => {
    if (s.type === 'session' || s.type === 'reconnected') void this.refresh();
    if (s.type === 'disconnected' || s.type === 'expired') this.emit('connection', s.type);
  };

  constructor(private readonly opts: GroupWatcherOptions) {
    super();
    this.log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'group-watcher' });
  }

  async start(): Promise<void> {
    this.opts.zk.on('state', this.onSession);
    await this.refresh();
    this.timer = setInterval(this.trigger, this.opts.refreshMs ?? 1_000);
  }

  async *events(): AsyncGenerator<GroupEvent> {
    const queue: GroupEvent[] = [];
    let wake: (() => void) | null = null;
    const onEvent = (e: GroupEvent) => {
      queue.push(e);
      wake?.();
    };
    const onClose = () => wake?.();
    this.on('event', onEvent);
    this.on('close', onClose);
    try {
      while (!this.closed || queue.length) {
        if (!queue.length) await new Promise<void>((r) => (wake = r));
        wake = null;
        while (queue.length) yield queue.shift()!;
      }
    } finally {
      this.off('event', onEvent);
      this.off('close', onClose);
    }
  }

  private refresh(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.refresher.request();
  }

  private async refreshOnce(): Promise<void> {
    if (this.closed) return;
    try {
      await this.armWatches();
      const snap = await readGroupSnapshot(this.opts.zk, this.opts.paths, this.opts.endOffsets);
      const now = (this.opts.now ?? Date.now)();
      this.emit('snapshot', snap);
      for (const e of this.differ.next(snap, now)) this.emit('event', e);
    } catch (err) {
      this.log.debug({ err }, 'refresh failed; retrying on the next tick');
      this.emit('error-refresh', err);
    }
  }

  private async armWatches(): Promise<void> {
    const { zk, paths } = this.opts;
    await Promise.all([
      zk.getChildren(paths.pollers, this.trigger).catch(() => undefined),
      zk.getChildren(paths.leader, this.trigger).catch(() => undefined),
      zk.getChildren(paths.leases, this.trigger).catch(() => undefined),
      zk.getDataOrNull(paths.assignment, this.trigger).catch(() => undefined),
    ]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.opts.zk.off('state', this.onSession);
    this.emit('close');
  }
}

export type { GroupSnapshot, GroupEvent };
