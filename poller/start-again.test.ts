import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startAgain } from './start-again.js';

/** Timers that keep the process alive now (an unref'd one is not listed). */
const heldTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('startAgain', () => {
  it('waits between attempts with a timer that holds the process open (nothing else is left open then)', async () => {
    const before = heldTimers();
    let attempts = 0;
    let heldDuringWait = -1;
    const started = await startAgain(async () => {
      attempts++;
      // Measured once the wait after the first failure has begun.
      if (attempts === 1) setImmediate(() => (heldDuringWait = heldTimers()));
      if (attempts < 3) throw new Error('Kafka not there yet');
      return 'started';
    }, () => true, pino({ level: 'silent' }));
    expect(started).toBe('started');
    expect(attempts).toBe(3);
    expect(heldDuringWait).toBeGreaterThan(before);
  });

  it('stops trying once asked to', async () => {
    let attempts = 0;
    await expect(startAgain(async () => {
      attempts++;
      throw new Error('no');
    }, () => attempts < 2, pino({ level: 'silent' }))).rejects.toThrow();
    expect(attempts).toBe(2);
  });
});
