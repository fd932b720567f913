import { describe, expect, it } from 'vitest';
import { KeyOrderQueue } from './key-order-queue.js';
import type { RingMessage } from './message.js';

function msg(offset: number, key: string | null): RingMessage {
  return { topic: 't', range: 0, partition: 0, offset: String(offset), key, value: Buffer.alloc(0), headers: {}, timestamp: '0', attempt: 0 };
}

const yes = () => true;

function queueOf(perKey: boolean, from: number, messages: RingMessage[]): KeyOrderQueue {
  const q = new KeyOrderQueue(perKey);
  q.reset(from);
  for (const m of messages) q.add(Number(m.offset), m);
  return q;
}

describe('KeyOrderQueue', () => {
  it('lets other keys pass a busy one, and starts the waiting message first once its key is free', () => {
    const q = queueOf(true, 0, [msg(0, 'a'), msg(1, 'a'), msg(2, 'b'), msg(3, 'a')]);
    expect([q.takeNext(yes), q.takeNext(yes), q.takeNext(yes)]).toEqual([0, 2, undefined]);
    expect(q.waiting()).toBe(2);
    q.done(0, q.item(0));
    expect(q.takeNext(yes)).toBe(1);
    expect(q.takeNext(yes)).toBeUndefined();
    q.done(1, q.item(1));
    expect(q.takeNext(yes)).toBe(3);
    expect(q.queued()).toBe(0);
  });

  it('asks admit only when a message could start, and a no leaves it in place', () => {
    const q = queueOf(true, 0, [msg(0, 'a'), msg(1, 'a')]);
    let asked = 0;
    expect(q.takeNext(() => (asked++, false))).toBeUndefined();
    expect(q.takeNext(() => (asked++, true))).toBe(0);
    expect(q.takeNext(() => (asked++, true))).toBeUndefined();
    expect(asked).toBe(2);
  });

  it('never reads a key without perKey (decoding it is left to whoever needs it)', () => {
    let reads = 0;
    const counted = (offset: number): RingMessage => {
      const m = msg(offset, 'a');
      return Object.defineProperty(m, 'key', { get: () => (reads++, 'a') });
    };
    const q = queueOf(false, 0, [counted(0), counted(1)]);
    expect([q.takeNext(yes), q.takeNext(yes)]).toEqual([0, 1]);
    q.done(0, q.item(0));
    q.done(1, q.item(1));
    expect(reads).toBe(0);
    expect(q.committable()).toBe(2);
  });

  it('keeps no key lines without perKey, nor for messages without a key', () => {
    const q = queueOf(false, 0, [msg(0, 'a'), msg(1, 'a')]);
    expect([q.takeNext(yes), q.takeNext(yes)]).toEqual([0, 1]);
    const n = queueOf(true, 0, [msg(0, null), msg(1, null)]);
    expect([n.takeNext(yes), n.takeNext(yes)]).toEqual([0, 1]);
  });

  it('ignores offsets older than expected and commits the lowest unacknowledged one', () => {
    const q = queueOf(false, 10, [msg(9, 'a'), msg(10, 'a'), msg(12, 'a'), msg(11, 'a')]);
    expect(q.queued()).toBe(2);
    expect(q.committable()).toBe(10);
    q.takeNext(yes);
    q.takeNext(yes);
    q.done(1, q.item(1));
    expect(q.committable()).toBe(10);
    q.done(0, q.item(0));
    expect(q.committable()).toBe(13);
  });

  it('after stopAfterHighestStarted starts only what waits at or below the highest started message', () => {
    const q = queueOf(true, 100, [msg(100, 'a'), msg(101, 'a'), msg(102, 'b'), msg(103, 'a'), msg(104, 'c')]);
    expect([q.takeNext(yes), q.takeNext(yes), q.takeNext(yes)]).toEqual([0, 2, 4]);
    expect(q.stopAfterHighestStarted()).toBe(104);
    expect(q.waiting()).toBe(2);
    const r = queueOf(true, 100, [msg(100, 'a'), msg(101, 'a'), msg(102, 'b'), msg(103, 'a')]);
    expect([r.takeNext(yes), r.takeNext(yes)]).toEqual([0, 2]);
    r.takeNext(yes); // 101 and 103 wait behind a
    expect(r.stopAfterHighestStarted()).toBe(102);
    expect(r.waiting()).toBe(1);
    expect(r.queued()).toBe(1);
    r.done(0, r.item(0));
    expect(r.takeNext(yes)).toBe(1);
    r.done(1, r.item(1));
    expect(r.takeNext(yes)).toBeUndefined();
  });

  it('holds everything at or past a barrier offset, keeps what is below going, and lets it go on lift()', () => {
    const q = queueOf(true, 10, [msg(10, 'a'), msg(11, 'b'), msg(12, 'c'), msg(13, 'a')]);
    q.holdFrom(12);
    expect([q.takeNext(yes), q.takeNext(yes), q.takeNext(yes)]).toEqual([0, 1, undefined]);
    expect(q.heldBack()).toBe(true);
    q.done(0, q.item(0));
    q.done(1, q.item(1));
    expect(q.committable()).toBe(12);
    expect(q.takeNext(yes)).toBeUndefined();
    q.lift();
    expect(q.heldBack()).toBe(false);
    expect([q.takeNext(yes), q.takeNext(yes)]).toEqual([2, 3]);
  });

  it('forgets a hold on reset', () => {
    const q = queueOf(false, 0, [msg(0, 'a')]);
    q.holdFrom(0);
    expect(q.takeNext(yes)).toBeUndefined();
    q.reset(0);
    q.add(0, msg(0, 'a'));
    expect(q.takeNext(yes)).toBe(0);
  });

  it('of two holds keeps the lower (a resize that freezes a range already held at its barrier)', () => {
    const q = queueOf(false, 10, [msg(10, 'a'), msg(11, 'b'), msg(12, 'c')]);
    q.holdFrom(12);
    q.holdFrom(20);
    expect([q.takeNext(yes), q.takeNext(yes), q.takeNext(yes)]).toEqual([0, 1, undefined]);
    expect(q.heldBack()).toBe(true);
  });
});
