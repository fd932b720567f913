import type { InFlightBudget } from './in-flight-budget.js';

/**
 * What a range pipeline asks before every handler call. Two checks:
 *
 * - `canStart`, the self-fencing gate (poller/fencing-gate.ts): false while
 *   ZooKeeper has not answered recently enough to prove our leases; checked
 *   before first attempts and retries alike.
 * - a slot of the poller-wide in-flight budget, taken by a message's first
 *   attempt and kept through its retries and its dead-letter write until it
 *   finishes. With no slot free, `wakeWhenSlotFree` is called once one is.
 */
export class StartGate {
  /** Budget slots taken by messages of the current generation that have not finished. */
  private slotsTaken = 0;

  constructor(
    private readonly canStart: () => boolean,
    private readonly budget: InFlightBudget | null,
    private readonly wakeWhenSlotFree: () => void,
  ) {}

  /** A message's first attempt: the gate is open and a budget slot is now the message's. */
  readonly admitFirstAttempt = (): boolean => {
    if (!this.canStart()) return false;
    if (!this.budget) return true;
    if (this.budget.tryTake()) {
      this.slotsTaken++;
      return true;
    }
    this.budget.whenFree(this.wakeWhenSlotFree);
    return false;
  };

  /** A retry: the message already holds its slot, so only the fencing gate applies. */
  admitRetry(): boolean {
    return this.canStart();
  }

  /** A message finished: its slot goes back to the budget. */
  returnSlot(): void {
    if (this.budget && this.slotsTaken > 0) {
      this.slotsTaken--;
      this.budget.give();
    }
  }

  /** The generation's work is forgotten: every slot it held goes back. */
  returnAllSlots(): void {
    if (this.budget && this.slotsTaken > 0) this.budget.give(this.slotsTaken);
    this.slotsTaken = 0;
  }
}
