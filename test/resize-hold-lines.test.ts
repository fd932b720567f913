// A poller's hold lines during a resize's cut-over, end to end against real
// ZooKeeper and Kafka: once the producers paused, the messages already in
// the log are handled while the cut-over still runs; nothing past a split
// point starts before the poller learned the split.
import { afterEach, describe, expect, it } from 'vitest';
import { offsetFromString, parseMember, parseOffset, parseResizeMarker, retry, runCutover } from '../coordinator/index.js';
import { growTopics } from '../poller/kafka-admin.js';
import { createPoller, type RingMessage } from '../poller/index.js';
import { rangeOf } from '../ring/index.js';
import { brokers, zkConnect } from './support/env.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { spiedSession } from './support/session-spy.js';
import { waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const groups = new RingGroups(cleanups, 'lines');

describe('hold lines during a cut-over (real ZooKeeper and Kafka)', () => {
  it('handles what the log held when the producers paused while the cut-over waits, then grows and goes on', async () => {
    const g = await groups.group(2);
    const producer = await groups.producer(g, 'p');
    // Every message of a key waits for the one before: with one key per
    // partition, one message per range is in the handler and the rest queue.
    let openHandler!: () => void;
    const handlerOpen = new Promise<void>((resolve) => (openHandler = resolve));
    const handled: { key: string; value: string; duringCutover: boolean }[] = [];
    let cutoverDone = false;
    const handler = async (m: RingMessage) => {
      if (m.value.toString().startsWith('before-')) await handlerOpen;
      handled.push({ key: m.key!, value: m.value.toString(), duringCutover: !cutoverDone });
    };
        // Commit passes a minute apart: after the warm-up's, the commit at a split point below is the hold lines' doing.
    const poller = createPoller({ zk: zkConnect(), group: g.paths.group, topic: g.topic, brokers: brokers(), id: 'lines', handler, settleMs: 0, commitIntervalMs: 60_000 });
    cleanups.add(() => poller.close());
    await poller.start();
    await waitFor('the poller owns both ranges', () => poller.ownedRanges().length === 2, { timeoutMs: 20_000 });

    // One key per old range, five messages each.
    const keys = ['k-a', 'k-b', 'k-c', 'k-d', 'k-e', 'k-f', 'k-g', 'k-h'];
    const perRange = new Map<number, string>();
    for (const key of keys) perRange.set(rangeOf(key, 2), perRange.get(rangeOf(key, 2)) ?? key);
    expect(perRange.size).toBe(2);
    const warmUp = [...perRange.values()].map((key) => ({ key, value: 'warm-up' }));
    await producer.send(warmUp);
    await waitFor('the warm-up handled and committed', async () => {
      if (handled.length < 2) return false;
      const committed = await Promise.all([0, 1].map(async (p) => parseOffset((await g.zk.getData(g.paths.offset(p))).data)));
      return committed.every((c) => c.ok && c.value.offset === '1');
    }, { timeoutMs: 10_000 });
    handled.length = 0;
    const before = [...perRange.values()].flatMap((key) => Array.from({ length: 5 }, (_, i) => ({ key, value: `before-${i}` })));
    await producer.send(before);

    // The cut-over: its final multi waits until the test lets it go, so the marker stays up.
    const admin = groups.kafka.admin();
    await admin.connect();
    cleanups.add(() => admin.disconnect());
    let commit!: () => void;
    const commitAllowed = new Promise<void>((resolve) => (commit = resolve));
    const zk = spiedSession(g.zk, { multi: async (real, args) => (await commitAllowed, real(...args)) });
    const cutover = runCutover({
      zk,
      paths: g.paths,
      to: 4,
      timeoutMs: 30_000,
      // As `ringleader resize` does: every new partition has a leader before the marker goes up.
      prepare: async ({ topic }) => {
        await growTopics({ kafka: groups.kafka, topic, partitions: 4 });
      },
      endOffsets: async (from) => {
        // With several brokers, metadata can lag a moment behind the new leaders: try again, as the resize command does.
        const offsets = await retry(() => admin.fetchTopicOffsets(g.topic), { attempts: 20, initialMs: 100, maxMs: 500, retriable: () => true });
        const ends = new Map(offsets.map((o) => [o.partition, offsetFromString(o.high)]));
        return Array.from({ length: from }, (_, p) => ends.get(p)!);
      },
    });
    cutover.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    const markerId = await waitFor('the marker', async () => {
      const node = await g.zk.getDataOrNull(g.paths.resize);
      const m = node ? parseResizeMarker(node.data) : null;
      return m?.ok && m.value.ends ? m.value.id : false;
    }, { timeoutMs: 10_000 });
    await waitFor('the poller paused for it', async () => {
      const m = parseMember((await g.zk.getData(g.paths.poller('lines'))).data, 'lines');
      return m.ok && m.value.pausedFor === markerId;
    }, { timeoutMs: 10_000 });

    // The queued messages below the lines go now, with the marker still up.
    openHandler();
    await waitFor('every message from before handled during the cut-over', () => handled.length === before.length, { timeoutMs: 10_000 });
    expect(handled.every((h) => h.duringCutover)).toBe(true);
    // Each old partition, handled up to its split point to be, is committed there at once: the barriers behind it open as soon as the poller grows.
    const marker = parseResizeMarker((await g.zk.getData(g.paths.resize)).data);
    const ends = marker.ok ? marker.value.ends : undefined;
    expect(ends).toHaveLength(2);
    await waitFor('both old partitions committed at their split points during the cut-over', async () => {
      const committed = await Promise.all([0, 1].map(async (p) => parseOffset((await g.zk.getData(g.paths.offset(p))).data)));
      return committed.every((c, p) => c.ok && c.value.offset === ends![p]);
    }, { timeoutMs: 5_000 });
    expect(await g.zk.exists(g.paths.resize)).not.toBeNull();

    commit();
    await cutover;
    cutoverDone = true;
    await waitFor('the poller grew to 4 ranges', () => poller.ownedRanges().length === 4, { timeoutMs: 20_000 });
    expect(producer.ranges()).toBe(4);
    const after = [...perRange.values()].flatMap((key) => Array.from({ length: 3 }, (_, i) => ({ key, value: `after-${i}` })));
    await producer.send(after);
    await waitFor('the messages after the cut-over handled', () => handled.length === before.length + after.length, { timeoutMs: 20_000 });
    for (const key of perRange.values()) {
      expect(handled.filter((h) => h.key === key).map((h) => h.value)).toEqual([0, 1, 2, 3, 4].map((i) => `before-${i}`).concat([0, 1, 2].map((i) => `after-${i}`)));
    }
  }, 60_000);
});
