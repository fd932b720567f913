import type { Logger } from 'pino';
import type { ZkSession, SessionState } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseResizeMarker } from './znodes.js';
import { offsetFromString, type Offset } from './offsets.js';

/** The resize under way as a follower sees it: its id, and the range count it goes to (null when its marker is malformed). */
export interface MarkerSeen {
  id: string;
  /** The range count its cut-over read (null: malformed). */
  from: number | null;
  to: number | null;
  /** Each old partition's end, once the cut-over saw every producer paused (the marker's `ends`); else null. */
  ends: Offset[] | null;
}

/** Look again this long after a failed read of the marker. */
const RETRY_MS = 500;

/**
 * Follows the group's `resize` marker for the processes a cut-over waits
 * for (producers and pollers): reads it with an exists watch (which also
 * fires when the cut-over adds the partitions' ends), and again on every
 * change, reconnect and new session (a watch can be lost while the
 * connection moves). Every read, one at a time, goes to `onRead` with the
 * marker (null: none), which acts on what changed. A malformed marker is
 * still a resize under way (id `malformed`): pausing for garbage is safe,
 * ignoring a real one is not.
 */
export class ResizeMarkerWatch {
  private closed = false;
  private reading: Promise<void> = Promise.resolve();
  private readonly onState = (s: SessionState) => {
    if (s.type === 'reconnected' || (s.type === 'session' && !s.first)) this.check();
  };
  private readonly onEvent = () => this.check();

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly log: Logger,
    private readonly onRead: (marker: MarkerSeen | null) => Promise<void>,
  ) {}

  /** The first read, awaited (its onRead too). */
  async start(): Promise<void> {
    this.zk.on('state', this.onState);
    await this.read();
  }

  /** Reads again (after the ones already queued). */
  check(): void {
    if (this.closed) return;
    this.reading = this.reading.then(() => this.read()).catch((err: unknown) => {
      this.log.warn({ err }, 'cannot read the resize marker; trying again');
      if (!this.closed) setTimeout(() => this.check(), RETRY_MS).unref();
    });
  }

  close(): void {
    this.closed = true;
    this.zk.off('state', this.onState);
  }

  private async read(): Promise<void> {
    // One round trip while the marker is up (a data watch also fires on its
    // change and deletion); an exists watch only when it is not, for its creation.
    let node = await this.zk.getDataOrNull(this.paths.resize, this.onEvent);
    if (!node && (await this.zk.exists(this.paths.resize, this.onEvent))) node = await this.zk.getDataOrNull(this.paths.resize, this.onEvent);
    if (this.closed) return;
    if (!node) return this.onRead(null);
    const parsed = parseResizeMarker(node.data);
    if (!parsed.ok) {
      this.log.error({ error: parsed.error }, 'malformed resize marker; pausing anyway');
      return this.onRead({ id: 'malformed', from: null, to: null, ends: null });
    }
    const m = parsed.value;
    return this.onRead({ id: m.id, from: m.from, to: m.to, ends: m.ends ? m.ends.map(offsetFromString) : null });
  }
}
