/**
 * Resizes under a steady keyed load: `ringleader resize` doubles the group
 * while ring producers send, and the pollers check every key's order.
 *
 *   npm run build && npm run bench:split -- [--json] [--messages 1000000] [--ranges 8] [--resizes 3]
 *                                           [--producers 2] [--pollers 2] [--keys 1000] [--batch 200] [--rate 0]
 *                                           [--kafka-client kafkajs|platformatic] [--log PREFIX]
 *
 * The load (--rate messages per second; 0: as fast as the producers go) is
 * split into resizes + 1 stretches; between two, `ringleader resize --ranges
 * 2R --json` runs as a separate process while the producers keep sending and
 * the pollers keep running (they hold for the cut-over and grow to 2R by
 * themselves). Per resize, timed from the cut-over (the config's mtime): how
 * long the producers were held (their own measure of each pause), the
 * cut-over as the resize command saw it, when the pollers were back, the
 * old partitions had drained to their split points (the barrier's wait) and
 * every new range had handled its first message past its split point, the
 * longest any old partition went without handling a message meanwhile, and
 * the longest a message waited in a range whose parent had no backlog at
 * the cut-over (none under a full-speed load: use --rate). At the end:
 * messages handled out of per-key order, twice, or never. --log writes each
 * poller's debug log to PREFIX.<i> and each producer's to PREFIX.producer-<i>
 * (to see where a wait went). Progress on
 * stderr; a table, or with --json one line per resize and a summary line,
 * on stdout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs as nodeParseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { createGroupConfig, GroupPaths, parentOf, parseConfig, sleep, splitProgress, statTime } from '../coordinator/index.js';
import { percentile } from './scale-stats.js';
import { createPoller, createRingProducer, ensureTopics, type Poller, type RingProducer } from '../poller/index.js';
import { acquireServers, benchKafka, deleteTopics, zkSession } from './throughput-env.js';
import { HandledCheck, KeyedLoad } from './split-load.js';

const cli = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'cli', 'main.js');

function log(line: string): void {
  process.stderr.write(`[split ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

function args() {
  const { values } = nodeParseArgs({
    options: {
      json: { type: 'boolean', default: false },
      messages: { type: 'string', default: '1000000' },
      ranges: { type: 'string', default: '8' },
      resizes: { type: 'string', default: '3' },
      producers: { type: 'string', default: '2' },
      pollers: { type: 'string', default: '2' },
      keys: { type: 'string', default: '1000' },
      batch: { type: 'string', default: '200' },
      rate: { type: 'string', default: '0' },
      'kafka-client': { type: 'string', default: 'kafkajs' },
      log: { type: 'string' },
    },
  });
  const int = (name: keyof typeof values, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) {
      process.stderr.write(`bench:split: --${name} must be an integer >= ${min}, got ${values[name]}\n`);
      process.exit(2);
    }
    return n;
  };
  const kafkaClient = values['kafka-client'];
  if (kafkaClient !== 'kafkajs' && kafkaClient !== 'platformatic') {
    process.stderr.write(`bench:split: --kafka-client must be kafkajs or platformatic, got ${kafkaClient}\n`);
    process.exit(2);
  }
  return {
    json: values.json === true,
    kafkaClient: kafkaClient as 'kafkajs' | 'platformatic',
    log: values.log,
    messages: int('messages', 1_000),
    ranges: int('ranges', 1),
    resizes: int('resizes', 1),
    producers: int('producers', 1),
    pollers: int('pollers', 1),
    keys: int('keys', 1),
    batch: int('batch', 1),
    rate: int('rate', 0),
  };
}

/**
 * The ranges whose parent had no backlog at the cut-over (it had handled
 * everything below its split point by then: before the measuring window,
 * or within it but no later than the cut-over), other than old ranges the
 * new assignment moved to another poller (a handoff, not the resize, pauses
 * those), and the longest any of their messages waited
 * (HandledCheck.maxWait): the target says those pause 100 ms at most. Range
 * 0 is its own parent. `longest`: the three longest, as range:ms.
 */
function idleParentPauses(check: HandledCheck, split: number[], from: number, to: number, cutWall: number, moved: ReadonlySet<number>): { ranges: number; maxPauseMs: number | null; longest: string[] } {
  const drainedAt = (q: number): number => {
    const at = split[q]!;
    if (at === 0) return Number.NEGATIVE_INFINITY;
    return check.handledAt.get(q)?.get(at - 1) ?? Number.NEGATIVE_INFINITY; // handled before the window
  };
  const idle = Array.from({ length: to }, (_, j) => j).filter((j) => drainedAt(parentOf(j, from, to)) <= cutWall && !(j < from && moved.has(j)));
  const waits = idle.flatMap((j) => (check.maxWait.has(j) ? [[j, Math.round(check.maxWait.get(j)!)] as const] : []));
  waits.sort((x, y) => y[1] - x[1]);
  return { ranges: idle.length, maxPauseMs: waits.length ? waits[0]![1] : null, longest: waits.slice(0, 3).map(([j, ms]) => `${j}:${ms}`) };
}

async function waitUntil(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function main(): Promise<void> {
  const a = args();
  const servers = await acquireServers();
  const kafka = benchKafka(servers.brokers, 'bench-split');
  const zk = await zkSession(servers.zk);
  const name = `bench-split-${randomBytes(3).toString('hex')}`;
  const paths = new GroupPaths(name);
  await ensureTopics({ kafka, topic: name, ranges: a.ranges, replicationFactor: 1 });
  await createGroupConfig(zk, paths, { topic: name, ranges: a.ranges });
  const check = new HandledCheck();
  const producers: RingProducer[] = [];
  const pollers: Poller[] = Array.from({ length: a.pollers }, (_, i) =>
    createPoller({ zk: servers.zk, group: name, topic: name, brokers: servers.brokers, id: `split-${i}`, handler: check.handle, kafkaClient: a.kafkaClient, settleMs: 0, commitIntervalMs: 100, sessionTimeoutMs: 10_000, ...(a.log ? { logger: pino({ level: 'debug' }, pino.destination(`${a.log}.${i}`)) } : {}) }),
  );
  /** When each poller was back on a resized group (every poller once per resize). */
  const resized: number[] = [];
  for (const p of pollers) p.on('resized', () => resized.push(performance.now()));
  /** Ranges a poller gave up since the last resize began (moved by the new assignment, not kept in place). */
  const movedAway = new Set<number>();
  for (const p of pollers) for (const event of ['released', 'lost'] as const) p.on(event, (e: { range: number }) => movedAway.add(e.range));
  const stopPollers = () => Promise.all(pollers.map((p) => p.close()));
  const rows: Record<string, unknown>[] = [];
  const pauses: number[] = [];
  try {
    for (let i = 0; i < a.producers; i++) producers.push(await createRingProducer({ zk: servers.zk, group: name, kafka, id: `producer-${i}`, ...(a.log ? { logger: pino({ level: 'debug' }, pino.destination(`${a.log}.producer-${i}`)) } : {}) }));
    const load = new KeyedLoad({ keys: a.keys, batch: a.batch, total: a.messages, rate: a.rate });
    await Promise.all(pollers.map((p) => p.start()));
    const t0 = performance.now();
    load.start(producers);
    let ranges = a.ranges;
    for (let r = 1; r <= a.resizes; r++) {
      await waitUntil(`stretch ${r} of the load`, () => load.sent >= (r * a.messages) / (a.resizes + 1), 600_000, 50);
      // New ranges can only show they started while messages still arrive.
      if (load.sent >= a.messages) throw new Error(`the load ended before resize ${r}: give more --messages (or fewer --resizes)`);
      const before = producers.map((p) => p.pauses().length);
      const resizedBefore = resized.length;
      check.resetGaps(ranges);
      movedAway.clear();
      const out = await promisify(execFile)(process.execPath, [cli, 'resize', '--zk', servers.zk, '--group', name, '--brokers', servers.brokers.join(','), '--ranges', String(2 * ranges), '--json']);
      const outcome = JSON.parse(out.stdout.trim().split('\n').pop()!) as { from: number; to: number; offsets: string[]; pausedMs: number; producersPausedMs: number; tookMs: number };
      await waitUntil('the producers to resume', () => producers.every((p, i) => p.pauses().length > before[i]!), 30_000);
      const held = producers.map((p) => p.pauses().at(-1)!);
      pauses.push(...held);
      const split = outcome.offsets.map(Number);
      const from = outcome.from;
      ranges = outcome.to;
      const children = Array.from({ length: ranges }, (_, j) => j).filter((j) => parentOf(j, from, ranges) !== j);
      check.watchFrom(Array.from({ length: ranges }, (_, j) => (j < from ? split[j]! : 0)));
      await waitUntil('every poller to follow the new range count', () => resized.length >= resizedBefore + pollers.length, 60_000);
      const configNode = await zk.getData(paths.config);
      const config = parseConfig(configNode.data);
      // The cut-over's multi wrote config: its mtime (this machine's clock) is the moment, not the command's exit.
      const cutAt = performance.now() - (Date.now() - statTime(configNode.stat.mtime));
      const backMs = Math.max(...resized.slice(resizedBefore)) - cutAt;
      if (!config.ok || !config.value.split) throw new Error('no split in the config after a resize');
      const splitInfo = config.value.split;
      let drainedAt = NaN;
      await waitUntil('every old partition to drain to its split point, and every new range to start past it', async () => {
        if (Number.isNaN(drainedAt) && (await splitProgress(zk, paths, splitInfo)).every((p) => p.remaining === 0)) drainedAt = performance.now();
        return !Number.isNaN(drainedAt) && children.every((j) => check.firstPast.has(j));
      }, 300_000, 25);
      const childReady = Math.max(...children.map((j) => check.firstPast.get(j)!));
      const gaps = Array.from({ length: from }, (_, p) => check.maxGap.get(p) ?? NaN);
      const idle = idleParentPauses(check, split, from, ranges, statTime(configNode.stat.mtime), movedAway);
      const row = {
        resize: r,
        from,
        to: ranges,
        producerPauseMs: held,
        cutoverMs: outcome.pausedMs,
        producersPausedMs: outcome.producersPausedMs,
        resizeCommandMs: outcome.tookMs,
        pollersBackMs: Math.round(backMs),
        parentsDrainedMs: Math.round(drainedAt - cutAt),
        childrenStartedMs: Math.round(childReady - cutAt),
        oldPartitionMaxGapMs: Math.round(Math.max(...gaps)),
        idleParentRanges: idle.ranges,
        idleParentMaxPauseMs: idle.maxPauseMs,
        idleParentLongest: idle.longest,
        oldRangesMoved: [...movedAway].filter((r) => r < from).length,
        sentSoFar: load.sent,
      };
      rows.push(row);
      log(`resize ${from} -> ${ranges}: producers held ${held.join('/')} ms; pollers back ${row.pollersBackMs} ms after the cut-over, parents drained at ${row.parentsDrainedMs} ms, children all started at ${row.childrenStartedMs} ms; old partitions waited at most ${row.oldPartitionMaxGapMs} ms; the ${row.idleParentRanges} ranges whose parent had no backlog paused at most ${row.idleParentMaxPauseMs} ms`);
      if (a.json) process.stdout.write(`${JSON.stringify(row)}\n`);
    }
    await load.done();
    await waitUntil('every message to be handled', () => check.handled >= load.sent, 600_000, 100);
    await sleep(500);
    const seconds = (performance.now() - t0) / 1000;
    const summary = {
      summary: true,
      messages: load.sent,
      handled: check.handled,
      outOfOrder: check.outOfOrder,
      duplicates: check.duplicates,
      lost: check.lost(load.perKey()),
      producerPauseMs: { n: pauses.length, p50: percentile(pauses, 0.5), p99: percentile(pauses, 0.99), max: Math.max(...pauses) },
      seconds: Math.round(seconds),
      producers: a.producers,
      pollers: a.pollers,
      keys: a.keys,
      kafkaClient: a.kafkaClient,
      node: process.version,
    };
    if (a.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    }
  } finally {
    await stopPollers().catch(() => undefined);
    await Promise.all(producers.map((p) => p.close().catch(() => undefined)));
    await zk.close();
    await deleteTopics(kafka, name).catch(() => undefined);
    await servers.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:split: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
