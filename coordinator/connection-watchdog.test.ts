import { describe, expect, it } from 'vitest';
import { ConnectionWatchdog, type LibrarySocket } from './connection-watchdog.js';

class FakeSocket implements LibrarySocket {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
  }
}

function setup() {
  const state = { clock: 0, connected: true, lastHeard: 0, socket: new FakeSocket() as FakeSocket | undefined };
  const deferred: (() => void)[] = [];
  const drops: [string, number][] = [];
  const dog = new ConnectionWatchdog(
    { connected: () => state.connected, lastHeard: () => state.lastHeard, socket: () => state.socket },
    { readTimeoutMs: 4_000, handshakeTimeoutMs: 2_000, now: () => state.clock, afterIo: (fn) => deferred.push(fn), onDrop: (why, ms) => drops.push([why, ms]) },
  );
  const io = () => deferred.splice(0).forEach((fn) => fn());
  return { state, dog, drops, io };
}

describe('ConnectionWatchdog', () => {
  it('drops a connected socket silent for the read timeout, not sooner', () => {
    const { state, dog, drops, io } = setup();
    state.clock = 3_999;
    dog.check();
    io();
    expect(state.socket!.destroyed).toBe(false);
    state.clock = 4_000;
    dog.check();
    io();
    expect(state.socket!.destroyed).toBe(true);
    expect(drops).toEqual([['silent', 4_000]]);
  });

  it('keeps a socket whose late replies are read before it decides (the SIGCONT case)', () => {
    const { state, dog, drops, io } = setup();
    state.clock = 10_000;
    dog.check();
    state.lastHeard = 10_000; // the reply waiting in the socket, read in the I/O phase
    io();
    expect(state.socket!.destroyed).toBe(false);
    expect(drops).toEqual([]);
  });

  it('drops a handshake that the server accepted and never answered', () => {
    const { state, dog, drops, io } = setup();
    state.connected = false;
    state.clock = 100;
    dog.check(); // first seen
    state.clock = 2_099;
    dog.check();
    io();
    expect(state.socket!.destroyed).toBe(false);
    state.clock = 2_100;
    dog.check();
    io();
    expect(state.socket!.destroyed).toBe(true);
    expect(drops).toEqual([['handshake', 2_000]]);
  });

  it('times each connection attempt from its own socket', () => {
    const { state, dog, io } = setup();
    state.connected = false;
    dog.check();
    state.clock = 1_500;
    const second = new FakeSocket();
    state.socket = second; // the library moved on to the next server by itself
    dog.check();
    state.clock = 3_000;
    dog.check();
    io();
    expect(second.destroyed).toBe(false);
    state.clock = 3_500;
    dog.check();
    io();
    expect(second.destroyed).toBe(true);
  });

  it('leaves alone a connection that came up, or a socket already closed or replaced', () => {
    const { state, dog, drops, io } = setup();
    state.connected = false;
    dog.check();
    state.clock = 5_000;
    dog.check();
    state.connected = true; // the handshake completed during the I/O phase
    state.lastHeard = 5_000;
    io();
    state.socket!.destroyed = true;
    state.clock = 20_000;
    dog.check();
    io();
    state.socket = undefined;
    dog.check();
    io();
    expect(drops).toEqual([]);
  });
});
