import type { Logger } from 'pino';
import zookeeper from 'node-zookeeper-client';
import type { ZkEvent, ZkSession, SessionState } from './zk-session.js';
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
  private readonly onEvent = (e: ZkEvent) => this.check(e.getType() === zookeeper.Event.NODE_DELETED);

  constructor(
    private readonly zk: ZkSession,
    private readonly paths: GroupPaths,
    private readonly log: Logger,
    private readonly onRead: (marker: MarkerSeen | null) => Promise<void>,
  ) {}

  /** The first read, awaited (its onRead too). */
  async start(): Promise<void> {
    this.zk.on('state', this.onState);
    await this.read(false);
  }

  /** Reads again (after the ones already queued); `gone`: a deletion event said the marker went. */
  check(gone = false): void {
    if (this.closed) return;
    this.reading = this.reading.then(() => this.read(gone)).catch((err: unknown) => {
      this.log.warn({ err }, 'cannot read the resize marker; trying again');
      if (!this.closed) setTimeout(() => this.check(), RETRY_MS).unref();
    });
  }

  close(): void {
    this.closed = true;
    this.zk.off('state', this.onState);
  }

  private async read(gone: boolean): Promise<void> {
    // One round trip while the marker is up (a data watch also fires on its
    // change and deletion); an exists watch only when it is not, for its creation.
    const node = gone ? null : await this.zk.getDataOrNull(this.paths.resize, this.onEvent);
    if (this.closed) return;
    if (!node) {
      // Acted on at once, with the exists watch for the next marker on its
      // way meanwhile (a resize's processes resume a round trip sooner, and
      // a producer's read of the new config travels beside it). A marker
      // made in between is read next: the same as one made just after.
      const created = this.zk.exists(this.paths.resize, this.onEvent).then(
        (stat) => ({ stat }),
        (err: unknown) => ({ err }),
      );
      await this.onRead(null);
      const seen = await created;
      if ('err' in seen) throw seen.err;
      if (seen.stat) this.check();
      return;
    }
    const parsed = parseResizeMarker(node.data);
    if (!parsed.ok) {
      this.log.error({ error: parsed.error }, 'malformed resize marker; pausing anyway');
      return this.onRead({ id: 'malformed', from: null, to: null, ends: null });
    }
    const m = parsed.value;
    return this.onRead({ id: m.id, from: m.from, to: m.to, ends: m.ends ? m.ends.map(offsetFromString) : null });
  }
}
