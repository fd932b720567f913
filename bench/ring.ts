/**
 * Benchmarks ring/ beside the npm `hashring` package, in one run so the
 * figures are comparable: key hashing speed, assign() time, balance, and how
 * much moves on a join or a leave; then assign() at scale (1,000 members x
 * 16,384 ranges, 10,000 x 65,536). Progress goes to stderr; the last line of
 * stdout is one JSON object (see README / issue for its shape).
 *
 *   npx tsc -p tsconfig.build.json && npm run bench:ring -- --json
 */
import { assign, diff, rangeBounds, rangeOf, type Member, type Owners } from '../ring/index.js';
import { createHashRing, type HashRingLike } from './ring-hashring.js';

const KEYS = 1_000_000;
const KEY_LENGTH = 18;
const REPEATS = 7;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** mulberry32: a small seeded PRNG, so every run hashes the same keys. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomKeys(count: number, seed: number): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const next = prng(seed);
  const keys = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    let key = '';
    for (let j = 0; j < KEY_LENGTH; j++) key += alphabet[Math.floor(next() * alphabet.length)];
    keys[i] = key;
  }
  return keys;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median wall time in ms of `fn` over REPEATS runs, after `warmup` untimed runs. */
function timeMs(fn: () => void, warmup = 3, repeats = REPEATS): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `poller-${i}`);
const equalMembers = (n: number): Member[] => ids(n).map((id) => ({ id, weight: 1 }));

// A sink the optimiser cannot drop, so hashing loops are really run.
let sink = 0;

function keysPerSec(keys: string[], lookup: (key: string) => number | string, repeats: number): number {
  const ms = timeMs(
    () => {
      for (let i = 0; i < keys.length; i++) {
        const v = lookup(keys[i]!);
        sink ^= typeof v === 'number' ? v : v.length;
      }
    },
    1,
    repeats,
  );
  return keys.length / (ms / 1000);
}

function ringleaderFigures(keys: string[]) {
  log(`ringleader: rangeOf over ${keys.length} keys of ${KEY_LENGTH} chars`);
  const kps = keysPerSec(keys, (k) => rangeOf(k, 4096), REPEATS);
  log(`  keysPerSec ${Math.round(kps)}`);

  const members256 = equalMembers(256);
  const assignMs = timeMs(() => void assign({ ranges: 4096, members: members256 }), 5, 21);
  log(`  assign R=4096 members=256 from scratch: median ${assignMs.toFixed(3)} ms`);
  const before256 = assign({ ranges: 4096, members: members256 });
  const without = members256.filter((m) => m.id !== 'poller-137');
  const rebalanceMs = timeMs(() => void assign({ ranges: 4096, members: without, previous: before256 }), 5, 21);
  log(`  assign R=4096 one of 256 leaving, with previous: median ${rebalanceMs.toFixed(3)} ms`);

  const R = 1024;
  const hundred = equalMembers(100);
  const owners = assign({ ranges: R, members: hundred });
  const share = new Map<string, number>();
  owners.forEach((o, r) => {
    const { start, end } = rangeBounds(r, R);
    share.set(o!, (share.get(o!) ?? 0) + (end - start) / 2 ** 32);
  });
  const peakToMean = Math.max(...share.values()) / (1 / hundred.length);
  log(`  R=${R}, 100 members: peak/mean keyspace share ${peakToMean.toFixed(4)} (bound 1 + members/R = ${(1 + 100 / R).toFixed(4)})`);

  const joined = assign({ ranges: R, members: [...hundred, { id: 'poller-100', weight: 1 }], previous: owners });
  const joinMoved = diff(owners, joined).length;
  const joinMovedOverIdeal = joinMoved / (R / 101);
  log(`  join of the 101st: ${joinMoved} ranges moved, ideal ${(R / 101).toFixed(2)}: ratio ${joinMovedOverIdeal.toFixed(4)}`);

  const leaver = 'poller-42';
  const left = assign({ ranges: R, members: hundred.filter((m) => m.id !== leaver), previous: owners });
  const leaverHeld = owners.filter((o) => o === leaver).length;
  const leaveMoved = diff(owners, left).length;
  const leaveMovedOverIdeal = leaveMoved / leaverHeld;
  log(`  leave of 1 of 100: ${leaveMoved} ranges moved, leaver held ${leaverHeld}: ratio ${leaveMovedOverIdeal.toFixed(4)}`);

  return { keysPerSec: kps, assignMs, rebalanceMs, peakToMean, joinMovedOverIdeal, leaveMovedOverIdeal };
}

/**
 * assign() at n members x R ranges, median ms: cold (no previous), a join
 * (previous = the assignment of n - 1 members, the nth joins) and a leave
 * (previous = the assignment of n members, one leaves).
 */
function assignAtScale(n: number, ranges: number, repeats: number) {
  const all = equalMembers(n);
  const leaver = `poller-${Math.floor(n / 2)}`;
  const withoutLast = all.slice(0, n - 1);
  const withoutLeaver = all.filter((m) => m.id !== leaver);
  const beforeJoin = assign({ ranges, members: withoutLast });
  const beforeLeave = assign({ ranges, members: all });
  const coldMs = timeMs(() => void assign({ ranges, members: all }), 3, repeats);
  const joinMs = timeMs(() => void assign({ ranges, members: all, previous: beforeJoin }), 3, repeats);
  const leaveMs = timeMs(() => void assign({ ranges, members: withoutLeaver, previous: beforeLeave }), 3, repeats);
  log(`  assign ${n} members x ${ranges} ranges: cold ${coldMs.toFixed(2)} ms, join ${joinMs.toFixed(2)} ms, leave ${leaveMs.toFixed(2)} ms (medians of ${repeats})`);
  return { members: n, ranges, coldMs: round(coldMs, 2), joinMs: round(joinMs, 2), leaveMs: round(leaveMs, 2) };
}

function scaleFigures() {
  log('ringleader: assign() at scale');
  return { assign1kx16k: assignAtScale(1_000, 16_384, 21), assign10kx64k: assignAtScale(10_000, 65_536, 11) };
}

function ownersOf(ring: HashRingLike, sample: string[]): string[] {
  return sample.map((k) => ring.get(k));
}

function movedFraction(a: string[], b: string[]): number {
  let moved = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) moved++;
  return moved / a.length;
}

function hashringFigures(keys: string[]) {
  log(`hashring: ring.get over ${keys.length} keys`);
  const servers = ids(100);
  const ring = createHashRing(servers);
  // Fewer repeats: md5 per key makes each pass long, and the median of 3 is stable enough.
  const kps = keysPerSec(keys, (k) => ring.get(k), 3);
  log(`  keysPerSec ${Math.round(kps)}`);

  // Keyspace share per node, estimated from the same 1e6 random keys.
  const counts = new Map<string, number>();
  for (const k of keys) {
    const o = ring.get(k);
    counts.set(o, (counts.get(o) ?? 0) + 1);
  }
  const peakToMean = Math.max(...counts.values()) / (keys.length / servers.length);
  log(`  100 nodes: peak/mean keyspace share ${peakToMean.toFixed(4)}`);

  const sample = keys.slice(0, 200_000);
  const before = ownersOf(ring, sample);
  const joinedRing = createHashRing([...servers, 'poller-100']);
  const joinMovedOverIdeal = movedFraction(before, ownersOf(joinedRing, sample)) / (1 / 101);
  log(`  join of the 101st: moved/ideal ${joinMovedOverIdeal.toFixed(4)}`);

  const leaver = 'poller-42';
  const leftRing = createHashRing(servers.filter((s) => s !== leaver));
  const leaverShare = before.filter((o) => o === leaver).length / sample.length;
  const leaveMovedOverIdeal = movedFraction(before, ownersOf(leftRing, sample)) / leaverShare;
  log(`  leave of 1 of 100: moved/leaver's share ${leaveMovedOverIdeal.toFixed(4)}`);

  return { name: 'hashring', keysPerSec: kps, peakToMean, joinMovedOverIdeal, leaveMovedOverIdeal };
}

function main(): void {
  const keys = randomKeys(KEYS, 0x5eed);
  const ours = ringleaderFigures(keys);
  const base = hashringFigures(keys);
  const scale = scaleFigures();
  const result = {
    keysPerSec: Math.round(ours.keysPerSec),
    assignMs: { R: 4096, members: 256, ms: round(ours.assignMs, 3) },
    rebalanceMs: round(ours.rebalanceMs, 3),
    peakToMean: round(ours.peakToMean),
    joinMovedOverIdeal: round(ours.joinMovedOverIdeal),
    leaveMovedOverIdeal: round(ours.leaveMovedOverIdeal),
    ...scale,
    baseline: {
      name: base.name,
      keysPerSec: Math.round(base.keysPerSec),
      peakToMean: round(base.peakToMean),
      joinMovedOverIdeal: round(base.joinMovedOverIdeal),
      leaveMovedOverIdeal: round(base.leaveMovedOverIdeal),
    },
  };
  log(`speed-up over hashring: ${(result.keysPerSec / result.baseline.keysPerSec).toFixed(1)}x (checksum ${sink & 1})`);
  // The JSON line is printed with or without --json: it is the contract for
  // scripts; --json is accepted so `npm run bench:ring -- --json` reads as meant.
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main();
