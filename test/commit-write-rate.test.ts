// Commits follow handled messages, but a poller still writes to ZooKeeper at
// most once per --commit-interval (one multi per pass, one pass in flight):
// two poller processes under a steady keyed load, ZooKeeper's own count of
// writes (its zxid) over a window, and the committed offsets right after the
// load stops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokers, randomName, zkConnect } from './support/env.js';
import { RECORD_ENV, readHandledRecords } from '../poller/handlers/handled-record.js';
import { converged } from './support/group-status.js';
import { runCli, ProcSet } from './support/node-process.js';
import { RECORDING_HANDLER_JS } from './support/paths.js';
import { sleep, waitFor } from './support/wait-for.js';
import { fourLetterWord } from '../infra/index.js';
import { ZkSession, GroupPaths, parseOffset } from '../coordinator/index.js';

const RANGES = 16;
const COMMIT_INTERVAL_MS = 100;
const procs = new ProcSet();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'commit-write-rate-'));
});
afterEach(async () => {
  await procs.stopAll();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The last zxid the ZooKeeper server applied: it grows by one per write (a multi is one). */
async function zxid(): Promise<number> {
  const [host, port] = zkConnect().split(',')[0]!.split(':');
  const text = await fourLetterWord(host!, Number(port), 'srvr');
  const hex = /Zxid: 0x([0-9a-f]+)/i.exec(text)?.[1];
  if (!hex) throw new Error(`no Zxid in srvr reply: ${text}`);
  return Number(BigInt(`0x${hex}`) & 0xffffffffn);
}

describe('commit cadence against the real ZooKeeper', () => {
  it('under a steady load two pollers commit about every interval, never more often: at most one write per poller per 100 ms', async () => {
    const zk = zkConnect();
    const brokerList = brokers().join(',');
    const group = randomName('cw');
    const topic = randomName('cw-t');
    const file = join(dir, `${group}.jsonl`);
    const created = await runCli(['create', '--zk', zk, '--group', group, '--brokers', brokerList, '--topic', topic, '--ranges', String(RANGES)]);
    expect(created.code, created.stderr).toBe(0);
    const ids = ['p1', 'p2'];
    const pollers = ids.map((id) =>
      procs.start(id, [
        'poller', '--zk', zk, '--brokers', brokerList, '--group', group, '--topic', topic, '--id', id,
        '--handler', RECORDING_HANDLER_JS, '--session-timeout', '4000', '--commit-interval', String(COMMIT_INTERVAL_MS),
      ], { [RECORD_ENV.file]: file, [RECORD_ENV.poller]: id, [RECORD_ENV.delayMs]: '2' }),
    );
    await Promise.all(pollers.map((p) => p.started()));
    await converged(zk, group, ids);

    const COUNT = 6_000;
    const producer = procs.start('producer', ['produce', '--brokers', brokerList, '--topic', topic, '--count', String(COUNT), '--keys', '500', '--rate', '400']);
    // Past the first commits of every range (creates), into the steady state.
    await waitFor('messages flowing', () => readHandledRecords(file).length >= 800 || null, { timeoutMs: 30_000, everyMs: 100 });
    const z1 = await zxid();
    const t1 = Date.now();
    await sleep(6_000);
    const z2 = await zxid();
    const t2 = Date.now();
    const writes = z2 - z1;
    // Passes start at least one interval apart, so a window of W ms holds at
    // most floor(W / interval) + 1 pass starts per poller.
    const bound = ids.length * (Math.floor((t2 - t1) / COMMIT_INTERVAL_MS) + 1);
    // Commits follow handled messages: a handling at t is committed by a pass
    // that begins by t + one interval (+ a round trip), so handlings 500 ms
    // apart never share a pass: per poller, at least one write for every
    // other 500 ms slot in which it handled something. (Measured from the
    // handlings, not the clock: on a starved machine pollers handle in bursts.)
    const slots = new Map<string, Set<number>>();
    for (const r of readHandledRecords(file)) {
      if (r.start < t1 || r.start >= t2) continue;
      if (!slots.has(r.poller)) slots.set(r.poller, new Set());
      slots.get(r.poller)!.add(Math.floor((r.start - t1) / 500));
    }
    const atLeast = [...slots.values()].reduce((n, s) => n + Math.floor(s.size / 2), 0);
    console.log(`[commit-write-rate] ${JSON.stringify({ writes, windowMs: t2 - t1, bound, atLeast, handled: readHandledRecords(file).length })}`);
    expect(writes).toBeLessThanOrEqual(bound);
    expect(atLeast).toBeGreaterThan(0);
    expect(writes).toBeGreaterThanOrEqual(atLeast);

    expect((await producer.waitExit(60_000)).code).toBe(0);
    // Once the load stops, every range's committed offset reaches the end of its partition within about one interval.
    const session = new ZkSession({ connect: zk, sessionTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
    await session.start();
    try {
      const paths = new GroupPaths(group);
      await waitFor('all handled', () => readHandledRecords(file).length >= COUNT || null, { timeoutMs: 30_000, everyMs: 100 });
      const handledAt = Date.now();
      const ends = new Map<number, number>();
      for (const r of readHandledRecords(file)) ends.set(r.range, Math.max(ends.get(r.range) ?? 0, r.offset + 1));
      await waitFor('every offset committed', async () => {
        for (const [range, end] of ends) {
          const node = await session.getDataOrNull(paths.offset(range));
          const parsed = node ? parseOffset(node.data) : null;
          if (!parsed?.ok || Number(parsed.value.offset) < end) return null;
        }
        return true;
      }, { timeoutMs: 5_000, everyMs: 20 });
      console.log(`[commit-write-rate] last commits landed ${Date.now() - handledAt} ms after the last handling was seen`);
    } finally {
      await session.close();
    }
  });
});
