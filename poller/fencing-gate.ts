/**
 * The self-fencing gate (docs/design.md): no message starts unless ZooKeeper
 * answered us recently enough to prove we still hold our leases. A pipeline
 * that finds the gate closed parks its work until it is told to resume.
 *
 * The poller polls the gate on a short ticker (and on reconnect) to tell the
 * pipelines to resume. The gate can close and open again between two polls
 * (a ping late by a few milliseconds); a pipeline that parked work meanwhile
 * must still be resumed, so the gate remembers that it was seen closed.
 */
export interface GatePoll {
  open: boolean;
  /** Work may have been parked since the last poll: resume the pipelines. */
  resume: boolean;
  /** Open after a poll that found it closed (worth a log line). */
  reopened: boolean;
  /** Closed after a poll that found it open (worth a log line). */
  closed: boolean;
  /** Closed on purpose (a resize's cut-over), not for want of ZooKeeper. */
  held: boolean;
}

export class FencingGate {
  private seenClosed = false;
  private polledOpen = true;
  private holding = false;

  /**
   * `onRelease`: called when a hold ends, so that the work parked meanwhile
   * resumes at once; the poll on the ticker would find it only up to a tick
   * later, and every range of a resize waits for this.
   */
  constructor(
    private readonly withinDeadline: () => boolean,
    private readonly onRelease: () => void = () => undefined,
  ) {}

  /** Checked before every handler call. */
  readonly canStart = (): boolean => {
    if (!this.holding && this.withinDeadline()) return true;
    this.seenClosed = true;
    return false;
  };

  /**
   * Closes the gate whatever ZooKeeper says, until `release()`: a resize's
   * cut-over must see no message start past the end offsets it reads
   * (docs/design.md "Growing a group"). Messages in flight go on.
   */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    this.onRelease();
  }

  get held(): boolean {
    return this.holding;
  }

  poll(): GatePoll {
    const open = this.canStart();
    const result: GatePoll = { open, resume: open && this.seenClosed, reopened: open && !this.polledOpen, closed: !open && this.polledOpen, held: this.holding };
    this.polledOpen = open;
    if (open) this.seenClosed = false;
    return result;
  }
}
