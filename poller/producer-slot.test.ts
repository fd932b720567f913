import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ProducerSlot } from './producer-slot.js';

interface Made {
  id: number;
  connectCalls: number;
  disconnected: boolean;
  /** Settles this producer's connect (pending until called when `manual`). */
  settle: (ok: boolean) => void;
}

function fakeProducers(opts: { manual?: boolean } = {}) {
  const made: Made[] = [];
  const make = () => {
    let settle: (ok: boolean) => void = () => undefined;
    const connected = new Promise<void>((resolve, reject) => (settle = (ok) => (ok ? resolve() : reject(new Error('broker down')))));
    const me: Made = { id: made.length, connectCalls: 0, disconnected: false, settle };
    if (!opts.manual) settle(true);
    made.push(me);
    return {
      connect: () => {
        me.connectCalls++;
        return connected;
      },
      disconnect: async () => void (me.disconnected = true),
      id: me.id,
    } as unknown as Producer;
  };
  return { made, make };
}

const idOf = (p: Producer) => (p as unknown as { id: number }).id;
const silent = pino({ level: 'silent' });

/** A slot opened with its first producer connected; the spare's connection (made[1]) is left to the test. */
async function openedSlot() {
  const { made, make } = fakeProducers({ manual: true });
  const slot = new ProducerSlot(make, silent);
  const opening = slot.open(4);
  made[0]!.settle(true);
  await opening;
  return { made, slot };
}

describe('ProducerSlot', () => {
  it('sends through a fresh producer after a failed send (new producer id, fresh sequence numbers), retiring the old one', async () => {
    const { made, make } = fakeProducers();
    const slot = new ProducerSlot(make, silent);
    await slot.open(4);
    expect(await slot.with(4, async (p) => idOf(p))).toBe(0);
    await slot.renew();
    expect(await slot.with(4, async (p) => idOf(p))).toBe(1);
    expect(made[0]!.disconnected).toBe(true);
  });

  it('swaps producers when the range count grows, not when it stays', async () => {
    const { make } = fakeProducers();
    const slot = new ProducerSlot(make, silent);
    await slot.open(4);
    expect(await slot.with(4, async (p) => idOf(p))).toBe(0);
    expect(await slot.with(4, async (p) => idOf(p))).toBe(0);
    expect(await slot.with(8, async (p) => idOf(p))).toBe(1);
    expect(await slot.with(8, async (p) => idOf(p))).toBe(1);
  });

  it('keeps a spare connected ahead of need, so a swap waits for no connection, and makes the next spare after a swap', async () => {
    const { made, slot } = await openedSlot();
    // The spare is connecting already, before any resize.
    expect(made).toHaveLength(2);
    expect(made[1]!.connectCalls).toBe(1);
    made[1]!.settle(true);
    await slot.prepare(8);
    // The swap used the spare, and a new spare is on its way.
    expect(await slot.with(8, async (p) => idOf(p))).toBe(1);
    expect(made).toHaveLength(3);
    expect(made[2]!.connectCalls).toBe(1);
    expect(made[0]!.disconnected).toBe(true);
  });

  it('connects a producer at need when the spare failed to connect', async () => {
    const { made, slot } = await openedSlot();
    made[1]!.settle(false);
    const preparing = slot.prepare(8);
    await new Promise((r) => setImmediate(r));
    expect(made[1]!.disconnected).toBe(true);
    expect(made).toHaveLength(3);
    made[2]!.settle(true);
    await preparing;
    expect(await slot.with(8, async (p) => idOf(p))).toBe(2);
  });

  it('disconnects the spare on close, even one still connecting', async () => {
    const { made, slot } = await openedSlot();
    await slot.close();
    expect(made.map((m) => m.disconnected)).toEqual([true, true]);
    await expect(slot.with(4, async () => undefined)).rejects.toThrow(/closed/);
  });
});
