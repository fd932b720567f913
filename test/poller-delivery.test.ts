// End to end through the CLI: pollers as separate processes against the real
// ZooKeeper and Kafka, a recording handler writing every handling to a shared
// file. Delivery (at least once, no duplicates without failures), per-key
// order, and what a join, a kill -9, a SIGTERM and `ringleader drain` do to it;
// on each Kafka client (--kafka-client kafkajs, platformatic).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokers, randomName, zkConnect } from './support/env.js';
import { readHandledRecords, RECORD_ENV, type HandledRecord } from '../poller/handlers/handled-record.js';
import { converged, status } from './support/group-status.js';
import { runCli, ProcSet, type NodeProcess } from './support/node-process.js';
import { RECORDING_HANDLER_JS } from './support/paths.js';
import { waitFor } from './support/wait-for.js';
import { KAFKA_CLIENT_NAMES, type KafkaClientName } from '../poller/kafka-clients.js';
import { byRange, delivery, maxGap, orderViolations, percentile } from './support/recording-checks.js';

const SESSION_TIMEOUT = 4000;
const RANGES = 16;
const procs = new ProcSet();
let dir: string;
let zk: string;
let brokerList: string;
/** The --kafka-client of every create, poller and producer of the describe block under way. */
let kafkaClient: KafkaClientName = 'kafkajs';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poller-delivery-'));
  zk = zkConnect();
  brokerList = brokers().join(',');
});

afterEach(async () => {
  await procs.stopAll();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Group {
  group: string;
  topic: string;
  file: string;
}

async function createGroup(): Promise<Group> {
  const group = randomName('pd');
  const topic = randomName('pd-t');
  const r = await runCli(['create', '--zk', zk, '--group', group, '--brokers', brokerList, '--topic', topic, '--ranges', String(RANGES), '--kafka-client', kafkaClient]);
  expect(r.code, r.stderr).toBe(0);
  return { group, topic, file: join(dir, `${group}.jsonl`) };
}

function startPoller(g: Group, id: string, extra: string[] = []): NodeProcess {
  return procs.start(
    id,
    [
      'poller', '--zk', zk, '--brokers', brokerList, '--group', g.group, '--topic', g.topic, '--id', id,
      '--handler', RECORDING_HANDLER_JS, '--session-timeout', String(SESSION_TIMEOUT), '--kafka-client', kafkaClient, ...extra,
    ],
    { [RECORD_ENV.file]: g.file, [RECORD_ENV.poller]: id },
  );
}

async function startPollers(g: Group, ids: string[]): Promise<Map<string, NodeProcess>> {
  const out = new Map(ids.map((id) => [id, startPoller(g, id)] as const));
  await Promise.all([...out.values()].map((p) => p.started()));
  await converged(zk, g.group, ids);
  return out;
}

function produce(g: Group, count: number, keys: number, rate?: number): NodeProcess {
  return procs.start('producer', [
    'produce', '--brokers', brokerList, '--topic', g.topic, '--count', String(count), '--keys', String(keys),
    ...(rate ? ['--rate', String(rate)] : []), '--kafka-client', kafkaClient,
  ]);
}

async function producedAll(p: NodeProcess, count: number): Promise<void> {
  const exit = await p.waitExit(60_000);
  expect(exit.code, p.stderr).toBe(0);
  expect(JSON.parse(p.stdout.trim()).sent).toBe(count);
}

function allHandled(g: Group, count: number, timeoutMs = 60_000): Promise<HandledRecord[]> {
  return waitFor(`all ${count} messages handled`, () => {
    const recs = readHandledRecords(g.file);
    return delivery(recs, count).missing.length === 0 ? recs : null;
  }, { timeoutMs, everyMs: 250 });
}

function handledAtLeast(g: Group, n: number): Promise<true> {
  return waitFor(`${n} handlings`, () => readHandledRecords(g.file).length >= n || null, { timeoutMs: 60_000, everyMs: 50 }) as Promise<true>;
}

async function stopGracefully(ps: Iterable<NodeProcess>): Promise<void> {
  const list = [...ps].filter((p) => p.running);
  for (const p of list) p.signal('SIGTERM');
  for (const p of list) expect((await p.waitExit(30_000)).code, `${p.name} exit code`).toBe(0);
}

function report(name: string, figures: Record<string, unknown>): void {
  console.log(`[poller-e2e] ${name} ${JSON.stringify(figures)}`);
}

describe.each(KAFKA_CLIENT_NAMES)('on %s', (client) => {
  beforeAll(() => {
    kafkaClient = client;
  });

  describe('pollers as processes (CLI) against real ZooKeeper and Kafka: delivery', () => {
    it('3 pollers handle 20,000 keyed messages over 16 ranges: each once, per-key order kept', async () => {
      const g = await createGroup();
      const COUNT = 20_000;
      const pollers = await startPollers(g, ['p1', 'p2', 'p3']);
      const t0 = Date.now();
      await producedAll(produce(g, COUNT, 200), COUNT);
      const recs = await allHandled(g, COUNT);
      const ms = Date.now() - t0;

      const d = delivery(recs, COUNT);
      expect(d.missing).toEqual([]);
      expect(d.duplicates.size).toBe(0);
      expect(recs.filter((r) => r.failed)).toEqual([]);
      expect(recs.length).toBe(COUNT);
      expect(orderViolations(recs)).toEqual([]);
      // The ranges are spread: every poller handled some, and each range had one handler.
      const perPoller = new Map<string, number>();
      for (const r of recs) perPoller.set(r.poller, (perPoller.get(r.poller) ?? 0) + 1);
      expect([...perPoller.keys()].sort()).toEqual(['p1', 'p2', 'p3']);
      for (const [, list] of byRange(recs)) expect(new Set(list.map((r) => r.poller)).size).toBe(1);
      expect(byRange(recs).size).toBe(RANGES);
      report('three-pollers', { messages: COUNT, ms, perSec: Math.round((COUNT * 1000) / ms), perPoller: Object.fromEntries(perPoller) });

      await stopGracefully(pollers.values());
    });
  });

  describe('pollers as processes (CLI) against real ZooKeeper and Kafka: a join', () => {
    it('a 4th poller joining mid-stream pauses only the ranges that move to it', async () => {
      const g = await createGroup();
      const COUNT = 24_000;
      const RATE = 2000;
      const pollers = await startPollers(g, ['p1', 'p2', 'p3']);
      const producer = produce(g, COUNT, 200, RATE);
      await handledAtLeast(g, COUNT / 6);
      expect(producer.running, 'still producing when p4 joins').toBe(true);
      const p4 = startPoller(g, 'p4');
      pollers.set('p4', p4);
      const joinAt = Date.now();
      await p4.started();
      await converged(zk, g.group, ['p1', 'p2', 'p3', 'p4']);
      await producedAll(producer, COUNT);
      const recs = await allHandled(g, COUNT);

      const d = delivery(recs, COUNT);
      expect(d.missing).toEqual([]);
      expect(d.duplicates.size).toBe(0); // a planned handoff commits before it lets go
      expect(orderViolations(recs)).toEqual([]);

      const ranges = byRange(recs);
      const moved: { range: number; from: string; pauseMs: number; lastOld: number; firstNew: number }[] = [];
      const unmoved: number[] = [];
      for (const [range, list] of ranges) {
        const i = list.findIndex((r) => r.poller === 'p4');
        if (i < 0) {
          unmoved.push(range);
          continue;
        }
        expect(i, `range ${range} had handlings before it moved`).toBeGreaterThan(0);
        const before = list[i - 1]!;
        // Once moved, only p4 handles the range.
        expect(new Set(list.slice(i).map((r) => r.poller))).toEqual(new Set(['p4']));
        moved.push({ range, from: before.poller, pauseMs: list[i]!.start - before.end, lastOld: before.end, firstNew: list[i]!.start });
      }
      // Equal weights, R=16, 3 -> 4 members: exactly the newcomer's quota moves.
      expect(moved.length).toBe(4);
      expect(unmoved.length).toBe(RANGES - 4);

      // The rebalance window: from the first moved range's last old handling to the last moved range's first new one.
      const from = Math.min(...moved.map((m) => m.lastOld));
      const to = Math.max(...moved.map((m) => m.firstNew));
      const unmovedGaps = unmoved.map((r) => maxGap(ranges.get(r)!, from, to));
      const unmovedHandledInWindow = unmoved.map((r) => ranges.get(r)!.filter((x) => x.start >= from && x.end <= to).length);
      // Steady-state gaps of the same ranges, for comparison: before the join.
      const steady = unmoved.map((r) => maxGap(ranges.get(r)!, joinAt - 2000, joinAt));
      report('join', {
        movedPausesMs: moved.map((m) => m.pauseMs),
        movedPauseMaxMs: Math.max(...moved.map((m) => m.pauseMs)),
        rebalanceWindowMs: to - from,
        unmovedMaxGapInWindowMs: Math.max(...unmovedGaps),
        unmovedMaxGapSteadyMs: Math.max(...steady),
        unmovedHandledInWindow: { min: Math.min(...unmovedHandledInWindow), p50: percentile(unmovedHandledInWindow, 50) },
      });
      for (const m of moved) expect(m.pauseMs, `pause of moved range ${m.range}`).toBeLessThan(5000);
      // Unmoved ranges kept going through the rebalance: no gap there larger than in steady state by much.
      for (const [i, gap] of unmovedGaps.entries()) expect(gap, `gap of unmoved range ${unmoved[i]}`).toBeLessThan(1000);
      if (to - from >= 200) for (const n of unmovedHandledInWindow) expect(n).toBeGreaterThan(0);

      await stopGracefully(pollers.values());
    });
  });

  describe('pollers as processes (CLI) against real ZooKeeper and Kafka: kill -9', () => {
    it('kill -9 of a poller: its ranges resume elsewhere from the committed offsets within session timeout + 1 s', async () => {
      const g = await createGroup();
      const COUNT = 20_000;
      const RATE = 2000;
      const pollers = await startPollers(g, ['p1', 'p2', 'p3']);
      const producer = produce(g, COUNT, 200, RATE);
      await handledAtLeast(g, COUNT / 5);
      expect(producer.running, 'still producing at the kill').toBe(true);
      const victim = pollers.get('p2')!;
      const before = await status(zk, g.group);
      const victimRanges = before.assignment.filter((a) => a.owner === 'p2').map((a) => a.range);
      expect(victimRanges.length).toBeGreaterThan(0);
      void victim.kill();
      const killAt = Date.now();
      expect((await victim.exited).signal).toBe('SIGKILL');
      // Nobody can take the leases (or commit) before the dead session expires,
      // so these are the offsets p2 committed last.
      const atKill = await status(zk, g.group);
      const committed = new Map<number, number>();
      for (const r of victimRanges) {
        const a = atKill.assignment[r]!;
        expect(a.owner, `range ${r} still leased by the dead session`).toBe('p2');
        committed.set(r, Number(a.committed ?? 0));
      }

      await producedAll(producer, COUNT);
      const recs = await allHandled(g, COUNT);
      pollers.delete('p2');

      const d = delivery(recs, COUNT);
      expect(d.missing).toEqual([]);
      expect(orderViolations(recs)).toEqual([]);
      // Duplicates only among what p2 handled at or past its last commit.
      for (const [id, list] of d.duplicates) {
        expect(list.length, `id ${id} handled ${list.length} times`).toBe(2);
        expect(list[0]!.poller, `id ${id}`).toBe('p2');
        expect(list[1]!.poller).not.toBe('p2');
        expect(list[0]!.offset, `id ${id} in range ${list[0]!.range}`).toBeGreaterThanOrEqual(committed.get(list[0]!.range)!);
      }
      // ...and every one of those was handled again (the uncommitted part is not skipped).
      const uncommittedByVictim = recs.filter((r) => r.poller === 'p2' && r.offset >= committed.get(r.range)!);
      for (const r of uncommittedByVictim) expect(d.duplicates.has(r.id), `id ${r.id} redelivered`).toBe(true);

      const ranges = byRange(recs);
      const resumeMs = victimRanges.map((r) => {
        const first = ranges.get(r)!.find((x) => x.poller !== 'p2' && x.start >= killAt);
        expect(first, `range ${r} resumed`).toBeDefined();
        expect(first!.offset, `range ${r} resumed at the committed offset`).toBe(committed.get(r));
        return first!.start - killAt;
      });
      report('kill-9', {
        victimRanges,
        resumeMs,
        resumeMaxMs: Math.max(...resumeMs),
        sessionTimeoutMs: SESSION_TIMEOUT,
        duplicates: d.duplicates.size,
        uncommittedHandledByVictim: uncommittedByVictim.length,
      });
      for (const ms of resumeMs) expect(ms).toBeLessThanOrEqual(SESSION_TIMEOUT + 1000);

      await stopGracefully(pollers.values());
    });
  });

  describe('pollers as processes (CLI) against real ZooKeeper and Kafka: SIGTERM and drain', () => {
    it('SIGTERM mid-stream: the poller hands off with no duplicates and exits 0', async () => {
      const g = await createGroup();
      const COUNT = 12_000;
      const RATE = 1500;
      const pollers = await startPollers(g, ['p1', 'p2', 'p3']);
      const producer = produce(g, COUNT, 200, RATE);
      await handledAtLeast(g, COUNT / 5);
      expect(producer.running, 'still producing at SIGTERM').toBe(true);
      const leaving = pollers.get('p2')!;
      const owned = (await status(zk, g.group)).assignment.filter((a) => a.owner === 'p2').map((a) => a.range);
      const termAt = Date.now();
      leaving.signal('SIGTERM');
      const exit = await leaving.waitExit(30_000);
      expect(exit.code, leaving.stderr.slice(-2000)).toBe(0);
      pollers.delete('p2');
      await converged(zk, g.group, ['p1', 'p3']);
      await producedAll(producer, COUNT);
      const recs = await allHandled(g, COUNT);

      const d = delivery(recs, COUNT);
      expect(d.missing).toEqual([]);
      expect(d.duplicates.size).toBe(0);
      expect(orderViolations(recs)).toEqual([]);
      const ranges = byRange(recs);
      // Ranges that got messages after the signal (a range whose keys all came early may have none).
      const continued = owned.filter((r) => ranges.get(r)!.some((x) => x.start >= termAt));
      expect(continued.length).toBeGreaterThan(0);
      const pauses = continued.map((r) => {
        const list = ranges.get(r)!;
        const i = list.findIndex((x) => x.poller !== 'p2' && x.start >= termAt);
        const why = () =>
          `range ${r}, SIGTERM at ${termAt}, exit at ${exit.at}: ${JSON.stringify(list.slice(-2))}\n--- p2:\n` +
          leaving.logs.filter((l) => /release|drain|stop|assignment|signal/.test(String(l.msg))).map((l) => JSON.stringify(l)).join('\n');
        expect(i, why()).toBeGreaterThan(0);
        return list[i]!.start - list[i - 1]!.end;
      });
      report('sigterm', { exitMs: exit.at - termAt, ranges: owned, handoffPausesMs: pauses });

      await stopGracefully(pollers.values());
    });

    it('`ringleader drain <id>`: the poller hands off, leaves the group and exits 0', async () => {
      const g = await createGroup();
      const COUNT = 8_000;
      const RATE = 2000;
      const pollers = await startPollers(g, ['p1', 'p2']);
      const producer = produce(g, COUNT, 100, RATE);
      await handledAtLeast(g, COUNT / 4);
      expect(producer.running, 'still producing at the drain').toBe(true);
      const drainAt = Date.now();
      const r = await runCli(['drain', '--zk', zk, '--group', g.group, 'p1']);
      expect(r.code, `${r.stderr}\n--- p1:\n${pollers.get('p1')!.stderr.slice(-3000)}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ poller: 'p1', drained: true });
      const exit = await pollers.get('p1')!.waitExit(30_000);
      expect(exit.code).toBe(0);
      pollers.delete('p1');
      const s = await converged(zk, g.group, ['p2']);
      expect(s.pollers.map((p) => p.id)).toEqual(['p2']);
      await producedAll(producer, COUNT);
      const recs = await allHandled(g, COUNT);
      const d = delivery(recs, COUNT);
      expect(d.missing).toEqual([]);
      expect(d.duplicates.size).toBe(0);
      expect(orderViolations(recs)).toEqual([]);
      expect(recs.some((x) => x.poller === 'p1' && x.start < drainAt)).toBe(true);
      expect(recs.filter((x) => x.poller === 'p1' && x.start > exit.at)).toEqual([]);
      report('drain', { drainCommandMs: r.ms, exitMs: exit.at - drainAt });

      // Draining an unknown poller is a one-line error.
      const bad = await runCli(['drain', '--zk', zk, '--group', g.group, 'nobody']);
      expect(bad.code).toBe(1);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain('nobody');

      await stopGracefully(pollers.values());
    });
  });
});
