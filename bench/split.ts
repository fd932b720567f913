/**
 * Resizes under a steady keyed load: `ringleader resize` doubles the group
 * while ring producers send, and the pollers check every key's order.
 *
 *   npm run build && npm run bench:split -- [--json] [--messages 1000000] [--ranges 8] [--resizes 3]
 *                                           [--producers 2] [--pollers 2] [--keys 1000] [--batch 200]
 *
 * The load is split into resizes + 1 stretches; between two,
 * `ringleader resize --ranges 2R --json` runs as a separate process while the
 * producers keep sending and the pollers keep running (they hold for the
 * cut-over and start again on 2R by themselves). Per resize: how long the
 * producers were held (their own measure of each pause), the cut-over as the
 * resize command saw it, how long after the command returned the pollers
 * were back, the old partitions had drained to their split points (the
 * barrier's wait) and every new range had handled its first message past its
 * split point, and the longest any old partition went without handling a
 * message meanwhile. At the end: messages handled out of per-key order,
 * twice, or never. Progress on stderr; a table, or with --json one
 * line per resize and a summary line, on stdout.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs as nodeParseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createGroupConfig, GroupPaths, parentOf, parseConfig, sleep, splitProgress } from '../coordinator/index.js';
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
  return {
    json: values.json === true,
    messages: int('messages', 1_000),
    ranges: int('ranges', 1),
    resizes: int('resizes', 1),
    producers: int('producers', 1),
    pollers: int('pollers', 1),
    keys: int('keys', 1),
    batch: int('batch', 1),
  };
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
    createPoller({ zk: servers.zk, group: name, topic: name, brokers: servers.brokers, id: `split-${i}`, handler: check.handle, settleMs: 0, commitIntervalMs: 100, sessionTimeoutMs: 10_000 }),
  );
  /** When each poller was back on a resized group (every poller once per resize). */
  const resized: number[] = [];
  for (const p of pollers) p.on('resized', () => resized.push(performance.now()));
  const stopPollers = () => Promise.all(pollers.map((p) => p.close()));
  const rows: Record<string, unknown>[] = [];
  const pauses: number[] = [];
  try {
    for (let i = 0; i < a.producers; i++) producers.push(await createRingProducer({ zk: servers.zk, group: name, kafka, id: `producer-${i}` }));
    const load = new KeyedLoad({ keys: a.keys, batch: a.batch, total: a.messages });
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
      check.resetGaps();
      const out = await promisify(execFile)(process.execPath, [cli, 'resize', '--zk', servers.zk, '--group', name, '--brokers', servers.brokers.join(','), '--ranges', String(2 * ranges), '--json']);
      const cutAt = performance.now();
      const outcome = JSON.parse(out.stdout.trim().split('\n').pop()!) as { from: number; to: number; offsets: string[]; pausedMs: number; tookMs: number };
      await waitUntil('the producers to resume', () => producers.every((p, i) => p.pauses().length > before[i]!), 30_000);
      const held = producers.map((p) => p.pauses().at(-1)!);
      pauses.push(...held);
      const split = outcome.offsets.map(Number);
      const from = outcome.from;
      ranges = outcome.to;
      const children = Array.from({ length: ranges }, (_, j) => j).filter((j) => parentOf(j, from, ranges) !== j);
      check.watchFrom(Array.from({ length: ranges }, (_, j) => (j < from ? split[j]! : 0)));
      await waitUntil('every poller to start again on the new range count', () => resized.length >= resizedBefore + pollers.length, 60_000);
      const backMs = Math.max(...resized.slice(resizedBefore)) - cutAt;
      const config = parseConfig((await zk.getData(paths.config)).data);
      if (!config.ok || !config.value.split) throw new Error('no split in the config after a resize');
      const splitInfo = config.value.split;
      let drainedAt = NaN;
      await waitUntil('every old partition to drain to its split point, and every new range to start past it', async () => {
        if (Number.isNaN(drainedAt) && (await splitProgress(zk, paths, splitInfo)).every((p) => p.remaining === 0)) drainedAt = performance.now();
        return !Number.isNaN(drainedAt) && children.every((j) => check.firstPast.has(j));
      }, 300_000, 25);
      const childReady = Math.max(...children.map((j) => check.firstPast.get(j)!));
      const gaps = Array.from({ length: from }, (_, p) => check.maxGap.get(p) ?? NaN);
      const row = {
        resize: r,
        from,
        to: ranges,
        producerPauseMs: held,
        cutoverMs: outcome.pausedMs,
        resizeCommandMs: outcome.tookMs,
        pollersBackMs: Math.round(backMs),
        parentsDrainedMs: Math.round(drainedAt - cutAt),
        childrenStartedMs: Math.round(childReady - cutAt),
        oldPartitionMaxGapMs: Math.round(Math.max(...gaps)),
        sentSoFar: load.sent,
      };
      rows.push(row);
      log(`resize ${from} -> ${ranges}: producers held ${held.join('/')} ms; pollers back ${row.pollersBackMs} ms after the cut-over, parents drained at ${row.parentsDrainedMs} ms, children all started at ${row.childrenStartedMs} ms; old partitions waited at most ${row.oldPartitionMaxGapMs} ms`);
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
