import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import type { AssignmentRecord } from './znodes.js';
import { readAssignment } from './assignment-reader.js';
import { CoalescingRunner } from './coalescing-runner.js';
import { sleep } from './retry.js';

/** How long to wait before reading the assignment again after a failed read. */
const REREAD_AFTER_ERROR_MS = 500;

/**
 * Keeps the latest valid `assignment` of a group: reads it with a watch,
 * again whenever the watch fires, the connection comes back or a new session
 * starts, and half a second after a failed read. Reads run one at a time, so
 * an older answer never replaces a newer one; an epoch lower than the one held
 * is ignored, and so is a malformed node (never act on garbage).
 *
 * Events: `read` (current: AssignmentRecord | null) after every read attempt,
 * `assignment` (AssignmentRecord) when the epoch changes, `problem` (string).
 */
export class AssignmentSubscription extends EventEmitter {
  private record: AssignmentRecord | null = null;
  private closed = false;
  private readonly log: Logger;
  private readonly reader = new CoalescingRunner(() => this.read());
  private readonly onChanged = () => void this.reader.request();
  private readonly onSession = (s: SessionState) => {
    if ((s.type === 'session' && !s.first) || s.type === 'reconnected') void this.reader.request();
  };

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly ranges: number,
    logger?: Logger,
  ) {
    super();
    this.log = (logger ?? pino({ level: 'silent' })).child({ component: 'assignment-subscription' });
  }

  get current(): AssignmentRecord | null {
    return this.record;
  }

  /** Resolves after the first read attempt (whatever its outcome). */
  async start(): Promise<void> {
    this.zk.on('state', this.onSession);
    await this.reader.request();
  }

  close(): void {
    this.closed = true;
    this.zk.off('state', this.onSession);
  }

  private async read(): Promise<void> {
    if (this.closed) return;
    try {
      const read = await readAssignment(this.zk, this.paths, this.ranges, this.onChanged);
      if (read.problem) {
        this.log.error({ problem: read.problem }, 'ignoring unusable assignment');
        this.emit('problem', read.problem);
      } else if (read.record && (!this.record || read.record.epoch >= this.record.epoch)) {
        const changed = !this.record || read.record.epoch !== this.record.epoch;
        this.record = read.record;
        if (changed) this.emit('assignment', read.record);
      }
    } catch (err) {
      this.log.warn({ err }, 'cannot read the assignment; retrying');
      void sleep(REREAD_AFTER_ERROR_MS).then(() => void this.reader.request());
    }
    if (!this.closed) this.emit('read', this.record);
  }
}
