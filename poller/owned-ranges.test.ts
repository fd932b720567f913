import { describe, expect, it } from 'vitest';
import { OwnedRanges, type OrderBarrier, type SplitBarriers } from './owned-ranges.js';
import type { RangePipeline } from './range-pipeline.js';
import type { RangeSource } from './range-source.js';
import { systemClock } from './clock.js';

/** What OwnedRanges does to a pipeline's hold: the lowest offset held from, or null once lifted. */
class HoldRecorder {
  hold: number | null = null;
  holdFrom(offset: number): void {
    this.hold = Math.min(offset, this.hold ?? Number.POSITIVE_INFINITY);
  }
  holdOnlyFrom(offset: number): void {
    this.hold = offset === Number.POSITIVE_INFINITY ? null : offset;
  }
  heldBack(): boolean {
    return this.hold !== null;
  }
  start(): void {}
  push(): void {}
  queued(): number {
    return 0;
  }
  abort(): void {}
}

/** assign() resolves when the test says, so a resize can come while a range starts. */
function fakeSource(): { source: RangeSource; assigned: Map<number, () => void> } {
  const assigned = new Map<number, () => void>();
  const source = {
    assign: (range: number) => new Promise<number>((resolve) => assigned.set(range, () => resolve(0))),
    revoke: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  } as unknown as RangeSource;
  return { source, assigned };
}

/** A barrier per range whose wait the test ends by hand. */
function barriers(holdFrom: Record<number, number>) {
  const open = new Map<number, () => void>();
  const barrier = (range: number): OrderBarrier | null =>
    holdFrom[range] === undefined
      ? null
      : { holdFrom: holdFrom[range]!, wait: () => new Promise<void>((resolve) => open.set(range, resolve)), look: () => undefined };
  const barriers: SplitBarriers = { of: barrier, fromSplit: (range) => holdFrom[range] !== undefined };
  return { barriers, open };
}

/** A source that records where each range was asked to start. */
function askingSource() {
  const asked = new Map<number, unknown>();
  const source = {
    assign: async (range: number, from: unknown) => (asked.set(range, from), 0),
    revoke: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  } as unknown as RangeSource;
  return { source, asked };
}

function owned(source: RangeSource, barriers?: SplitBarriers) {
  const pipelines = new Map<number, HoldRecorder>();
  const ranges = new OwnedRanges({
    source,
    newPipeline: (range) => {
      const p = new HoldRecorder();
      pipelines.set(range, p);
      return p as unknown as RangePipeline;
    },
    from: 'earliest',
    ...(barriers ? { barriers } : {}),
    drainTimeoutMs: 1_000,
    maxQueuedPerRange: 100,
    clock: systemClock,
  });
  return { ranges, pipelines };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('OwnedRanges.followSplit (growing in place)', () => {
  it('holds each running range at its new split point until its parent is drained; a range without a barrier flows on', async () => {
    const { source, assigned } = fakeSource();
    const { ranges, pipelines } = owned(source);
    for (const range of [0, 1]) {
      const started = ranges.start(range, 10, 1);
      assigned.get(range)!();
      await started;
    }
    const { barriers: split, open } = barriers({ 1: 50 });
    ranges.followSplit(split, undefined);
    expect(pipelines.get(0)!.hold).toBeNull();
    expect(pipelines.get(1)!.hold).toBe(50);
    open.get(1)!();
    await settle();
    expect(pipelines.get(1)!.hold).toBeNull();
  });

  it('starts a range behind a barrier with no commit at offset 0, without asking the broker; others from --from', async () => {
    const { source, asked } = askingSource();
    const { ranges } = owned(source, barriers({ 5: 0 }).barriers);
    await ranges.start(5, null, 1);
    await ranges.start(6, null, 1);
    await ranges.start(7, 12, 1);
    expect([...asked]).toEqual([[5, 0], [6, 'earliest'], [7, 12]]);
  });

  it('starts a range of the split with no commit at offset 0 after its barrier passed too (--from would skip what was sent since the cut-over)', async () => {
    const { source, asked } = askingSource();
    const passed: SplitBarriers = { of: () => null, fromSplit: (range) => range !== 0 };
    const { ranges } = owned(source, passed);
    await ranges.start(5, null, 1);
    await ranges.start(0, null, 1);
    expect([...asked]).toEqual([[5, 0], [0, 'earliest']]);
  });

  it('a barrier of the split before, ending after it was replaced, does not lift the new hold', async () => {
    const { source, assigned } = fakeSource();
    const first = barriers({ 3: 20 });
    const { ranges, pipelines } = owned(source, first.barriers);
    const started = ranges.start(3, null, 1);
    assigned.get(3)!();
    await started;
    expect(pipelines.get(3)!.hold).toBe(20);

    const second = barriers({ 3: 70 });
    ranges.followSplit(second.barriers, undefined);
    first.open.get(3)!();
    await settle();
    expect(pipelines.get(3)!.hold).toBe(20); // the lower hold stays until the new barrier passes
    second.open.get(3)!();
    await settle();
    expect(pipelines.get(3)!.hold).toBeNull();
  });

  it('a range whose start was resolving its offset when the group grew gets the new split\'s barrier', async () => {
    const { source, assigned } = fakeSource();
    const { ranges, pipelines } = owned(source);
    const started = ranges.start(1, 5, 1);
    const { barriers: split } = barriers({ 1: 40 });
    ranges.followSplit(split, undefined);
    assigned.get(1)!();
    await started;
    expect(pipelines.get(1)!.hold).toBe(40);
  });

  it('the misplaced-key check of the new split sees every batch from then on', async () => {
    const { source, assigned } = fakeSource();
    const { ranges } = owned(source);
    const started = ranges.start(0, 0, 1);
    assigned.get(0)!();
    await started;
    const seen: number[] = [];
    ranges.followSplit(undefined, (range, messages) => seen.push(range, messages.length));
    ranges.dispatch(0, [{ offset: '1' } as never, { offset: '2' } as never]);
    expect(seen).toEqual([0, 2]);
  });
});

describe('OwnedRanges hold lines (a resize cutting over)', () => {
  async function running(ranges: OwnedRanges, assigned: Map<number, () => void>, list: number[]) {
    for (const range of list) {
      const started = ranges.start(range, 0, 1);
      assigned.get(range)!();
      await started;
    }
  }

  it('holds each range at its partition\'s line, a range started meanwhile too, one with no line entirely; dropping them lifts every hold', async () => {
    const { source, assigned } = fakeSource();
    const { ranges, pipelines } = owned(source);
    await running(ranges, assigned, [0, 1]);
    ranges.holdAtLines([30, 40, 50]);
    expect([pipelines.get(0)!.hold, pipelines.get(1)!.hold]).toEqual([30, 40]);
    await running(ranges, assigned, [2, 3]);
    expect([pipelines.get(2)!.hold, pipelines.get(3)!.hold]).toEqual([50, 0]);
    ranges.dropLines();
    expect([0, 1, 2, 3].map((r) => pipelines.get(r)!.hold)).toEqual([null, null, null, null]);
  });

  it('a barrier waiting under a line stays when the lines go; a barrier passing while the lines stand leaves the line', async () => {
    const { source, assigned } = fakeSource();
    const { barriers: split, open } = barriers({ 1: 20, 2: 60 });
    const { ranges, pipelines } = owned(source, split);
    await running(ranges, assigned, [1, 2]);
    ranges.holdAtLines([35, 35, 35]);
    expect([pipelines.get(1)!.hold, pipelines.get(2)!.hold]).toEqual([20, 35]);
    open.get(2)!();
    await settle();
    expect(pipelines.get(2)!.hold).toBe(35);
    expect(ranges.atBarrier()).toEqual([1]); // range 2 waits at a line, not at a barrier
    ranges.dropLines();
    expect([pipelines.get(1)!.hold, pipelines.get(2)!.hold]).toEqual([20, null]);
    open.get(1)!();
    await settle();
    expect(pipelines.get(1)!.hold).toBeNull();
  });

  it('a freeze after the lines went holds at the split points', async () => {
    const { source, assigned } = fakeSource();
    const { ranges, pipelines } = owned(source);
    await running(ranges, assigned, [0, 1]);
    ranges.holdAtLines([10, 10]);
    ranges.dropLines();
    ranges.freezeFrom((range) => [12, 15][range]!);
    expect([pipelines.get(0)!.hold, pipelines.get(1)!.hold]).toEqual([12, 15]);
  });
});
