import { sleep } from '../../coordinator/index.js';

/** Thrown once the demo was asked to stop: it unwinds the script, and the summary says interrupted, not failed. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** The demo's stop request (a signal, or q on the live screen), which every wait of the script heeds. */
export class StopSwitch {
  private readonly controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get requested(): boolean {
    return this.controller.signal.aborted;
  }

  stop(): void {
    this.controller.abort();
  }

  /** Throws Interrupted once a stop was requested. */
  check(): void {
    if (this.requested) throw new Interrupted();
  }

  /** Sleeps until `ms` passed or the demo is stopped. */
  pause(ms: number): Promise<void> {
    return sleep(Math.max(0, ms), this.signal, { holdProcess: true });
  }
}
