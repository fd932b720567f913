import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ProducerSlot } from './producer-slot.js';

function fakeProducers() {
  const made: { id: number; disconnected: boolean }[] = [];
  const make = () => {
    const me = { id: made.length, disconnected: false };
    made.push(me);
    return { connect: async () => undefined, disconnect: async () => void (me.disconnected = true), id: me.id } as unknown as Producer;
  };
  return { made, make };
}

const idOf = (p: Producer) => (p as unknown as { id: number }).id;

describe('ProducerSlot', () => {
  it('sends through a fresh producer after a failed send (new producer id, fresh sequence numbers), retiring the old one', async () => {
    const { made, make } = fakeProducers();
    const slot = new ProducerSlot(make, pino({ level: 'silent' }));
    await slot.open(4);
    expect(await slot.with(4, async (p) => idOf(p))).toBe(0);
    await slot.renew();
    expect(await slot.with(4, async (p) => idOf(p))).toBe(1);
    expect(made[0]!.disconnected).toBe(true);
  });

  it('makes a fresh producer when the range count grows, not when it stays', async () => {
    const { made, make } = fakeProducers();
    const slot = new ProducerSlot(make, pino({ level: 'silent' }));
    await slot.open(4);
    await slot.with(4, async () => undefined);
    expect(made).toHaveLength(1);
    expect(await slot.with(8, async (p) => idOf(p))).toBe(1);
  });
});
