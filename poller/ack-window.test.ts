import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AckWindow } from './ack-window.js';

describe('AckWindow', () => {
  it('reports the start offset when empty and last+1 when all acked', () => {
    const w = new AckWindow<string>(2);
    w.reset(10);
    expect(w.lowWater()).toBe(10);
    const a = w.push(10, 'a');
    const b = w.push(13, 'b');
    expect(w.lowWater()).toBe(10);
    w.ack(b);
    expect(w.lowWater()).toBe(10);
    w.ack(a);
    expect(w.lowWater()).toBe(14);
    expect(w.size()).toBe(0);
  });

  it('matches a naive model under random pushes and acks, across growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 5 }) }), fc.record({ ack: fc.nat() })), {
          maxLength: 300,
        }),
        (ops) => {
          const w = new AckWindow<number>(2);
          w.reset(0);
          const model: { seq: number; offset: number; acked: boolean }[] = [];
          let next = 0;
          for (const op of ops) {
            if ('push' in op) {
              const offset = next + op.push - 1;
              next = offset + 1;
              const seq = w.push(offset, offset);
              model.push({ seq, offset, acked: false });
            } else if (model.length > 0) {
              const entry = model[op.ack % model.length]!;
              entry.acked = true;
              w.ack(entry.seq);
              expect(w.item(entry.seq) === entry.offset || w.size() < model.length).toBe(true);
            }
            const firstUnacked = model.find((e) => !e.acked);
            expect(w.lowWater()).toBe(firstUnacked ? firstUnacked.offset : next);
          }
        },
      ),
    );
  });
});
