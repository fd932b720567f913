import { describe, expect, it } from 'vitest';
import { InFlightBudget } from './in-flight-budget.js';
import { StartGate } from './start-gate.js';

describe('StartGate', () => {
  it('takes a budget slot on a first attempt only, and gives back what it took', () => {
    const budget = new InFlightBudget(2);
    const gate = new StartGate(() => true, budget, () => undefined);
    expect(gate.admitFirstAttempt()).toBe(true);
    expect(gate.admitRetry()).toBe(true);
    expect(budget.inUse()).toBe(1);
    gate.returnSlot();
    gate.returnSlot();
    expect(budget.inUse()).toBe(0);
    gate.admitFirstAttempt();
    gate.admitFirstAttempt();
    gate.returnAllSlots();
    expect(budget.inUse()).toBe(0);
  });

  it('takes no slot while the fencing gate is closed, and wakes once a slot is free', async () => {
    const budget = new InFlightBudget(1);
    let open = false;
    let woken = 0;
    const gate = new StartGate(() => open, budget, () => void woken++);
    expect(gate.admitFirstAttempt()).toBe(false);
    expect(gate.admitRetry()).toBe(false);
    expect(budget.inUse()).toBe(0);
    open = true;
    expect(budget.tryTake()).toBe(true);
    expect(gate.admitFirstAttempt()).toBe(false);
    budget.give();
    await Promise.resolve();
    expect(woken).toBe(1);
    expect(gate.admitFirstAttempt()).toBe(true);
  });

  it('admits everything the fencing gate admits when there is no budget', () => {
    const gate = new StartGate(() => true, null, () => undefined);
    expect(gate.admitFirstAttempt()).toBe(true);
    expect(() => {
      gate.returnSlot();
      gate.returnAllSlots();
    }).not.toThrow();
  });
});
