import { describe, expect, it } from 'vitest';
import { FencingGate } from './fencing-gate.js';

describe('FencingGate', () => {
  it('says nothing while the gate stays open', () => {
    const gate = new FencingGate(() => true);
    expect(gate.canStart()).toBe(true);
    expect(gate.poll()).toEqual({ open: true, resume: false, reopened: false, closed: false, held: false });
  });

  it('resumes parked work after a closure shorter than one poll interval', () => {
    let within = true;
    const gate = new FencingGate(() => within);
    gate.poll();
    within = false;
    expect(gate.canStart()).toBe(false); // a pipeline parks a message here
    within = true; // ...and the next ping lands before the ticker runs
    expect(gate.poll()).toEqual({ open: true, resume: true, reopened: false, closed: false, held: false });
    expect(gate.poll().resume).toBe(false); // once
  });

  it('reports the edges a poll sees, and resumes when it opens again', () => {
    let within = false;
    const gate = new FencingGate(() => within);
    expect(gate.poll()).toEqual({ open: false, resume: false, reopened: false, closed: true, held: false });
    expect(gate.poll()).toEqual({ open: false, resume: false, reopened: false, closed: false, held: false });
    within = true;
    expect(gate.poll()).toEqual({ open: true, resume: true, reopened: true, closed: false, held: false });
  });

  it('stays shut while held, whatever ZooKeeper says, and resumes parked work once released', () => {
    const gate = new FencingGate(() => true);
    gate.hold();
    expect(gate.canStart()).toBe(false);
    expect(gate.poll()).toEqual({ open: false, resume: false, reopened: false, closed: true, held: true });
    gate.release();
    expect(gate.poll()).toEqual({ open: true, resume: true, reopened: true, closed: false, held: false });
  });

  it('tells its owner when a hold ends, so parked work resumes without waiting for the next poll', () => {
    let released = 0;
    const gate = new FencingGate(() => true, () => released++);
    gate.release(); // not held: nothing to tell
    gate.hold();
    expect(gate.canStart()).toBe(false); // a message parks
    gate.release();
    expect(released).toBe(1);
    expect(gate.poll()).toMatchObject({ open: true, resume: true });
    gate.release();
    expect(released).toBe(1);
  });
});
