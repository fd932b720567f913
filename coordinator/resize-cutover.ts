import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { pino } from 'pino';
import type { ZkSession, Op } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { encode, parseResizeMarker, MAX_GROUP_RANGES, type GroupConfig, type ResizeMarker } from './znodes.js';
import { offsetToString, type Offset } from './offsets.js';
import { isZkCode, ZK, ZkError } from './zk-errors.js';
import { readVersionedGroupConfig } from './group-config.js';
import { readParticipants, type Participant } from './resize-participants.js';
import { splitProgress } from './split-progress.js';

/** A resize that did not happen: the group keeps its range count (the reason says why). */
export class ResizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResizeError';
  }
}

export interface CutoverOptions {
  zk: ZkSession;
  paths: GroupPaths;
  /** The new range count: a multiple (2 or more times) of the present one. */
  to: number;
  /** How long every registered producer and poller has to pause; past it the resize is rolled back. */
  timeoutMs: number;
  /** End offsets of partitions 0..from-1, read once every producer has paused with nothing in flight. */
  endOffsets: (from: number) => Promise<Offset[]>;
  /** Runs once the resize is known to be allowed, before producers pause (the resize command adds the Kafka partitions here). */
  prepare?: (config: GroupConfig) => Promise<void>;
  logger?: Logger;
  /** Told once the marker is written and whenever the set of paused producers and pollers changes (ids as `producer/<id>`, `poller/<id>`). */
  onWaiting?: (w: { paused: string[]; waitingFor: string[] }) => void;
}

export interface CutoverResult {
  topic: string;
  from: number;
  to: number;
  /** Per old partition, its end offset at the cut-over (split.offsets of the new config). */
  offsets: string[];
  /** Producers that paused for the cut-over (their node was checked in the cut-over multi). */
  producers: string[];
  /** Pollers that held for the cut-over (likewise); they follow the new range count on their own. */
  pollers: string[];
  /** From writing the marker to the committed cut-over: the longest any producer could have been paused. */
  pausedMs: number;
  /** From writing the marker until every producer had paused (the rest of `pausedMs` went to the pollers and the commit). */
  producersPausedMs: number;
}

/**
 * The cut-over of `ringleader resize` (docs/design.md "Growing a group"):
 *
 * 1. writes the ephemeral `resize` marker (our session): every producer
 *    registered now sees it, holds new sends, waits for the ones in flight,
 *    and writes `pausedFor: <id>` into its node; a producer that registers
 *    later reads the marker before its first send and pauses too;
 *    Every registered poller likewise starts no new message (messages in
 *    flight finish: they are below any end offset read later) and writes
 *    `pausedFor` into its member node (see step 3);
 * 2. waits until every registered producer says so, then reads the end
 *    offset s_p of each old partition: nothing below it can be written any
 *    more with the old R, and nothing at or past it was written with the
 *    old R. It adds them to the marker as `ends`;
 * 3. waits until every registered poller says it paused (one whose node
 *    went away with its session needs nothing), which a poller does once it
 *    took the `ends` as its hold lines (it goes on with the messages below
 *    them) or after a while without them;
 * 4. in one multi: checks the config's version and each paused producer's
 *    node version (a producer that resumed or re-registered meanwhile fails
 *    it, and we wait again), writes `{ranges: to, split: {from, offsets}}`
 *    and deletes the marker. Producers see the marker gone, read the new R
 *    and resume; pollers grow to the new R in place, or start again with it
 *    (their partitions' order barriers then hold what is past each split
 *    point).
 *
 * Anything that stops it (the timeout, an error, our session ending) leaves
 * the config as it was; the marker is deleted (or goes with the session) and
 * the producers and pollers resume with the old R.
 */
export async function runCutover(opts: CutoverOptions): Promise<CutoverResult> {
  const { zk, paths } = opts;
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'resize', group: paths.group });
  const deadline = Date.now() + opts.timeoutMs;
  const { config, version: configVersion } = await readVersionedGroupConfig(zk, paths);
  checkTarget(config, opts.to);
  await refuseWhileSplitDraining(zk, paths, config);
  await opts.prepare?.(config);

  const marker: ResizeMarker = {
    id: `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    from: config.ranges,
    to: opts.to,
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
  };
  await Promise.all([zk.ensure(paths.producers), zk.ensure(paths.pollers)]); // once: the wait below reads them on every change
  await writeMarker(zk, paths, marker);
  const began = Date.now();
  log.info({ id: marker.id, from: marker.from, to: marker.to }, 'resize marker written; waiting for every producer and poller to pause');
  try {
    // Every producer and poller as read when the producers were all paused: if the pollers were too, no second read.
    let read: Participant[] | null = await waitForParticipants(zk, paths, marker.id, deadline, opts.onWaiting, 'producer');
    const producersPausedMs = Date.now() - began;
    const ends = await opts.endOffsets(config.ranges);
    if (ends.length !== config.ranges) throw new Error(`expected ${config.ranges} end offsets, got ${ends.length}`);
    const offsets = ends.map(offsetToString);
    // The pollers take them as their hold lines, then say they paused.
    await zk.setData(paths.resize, encode({ ...marker, ends: offsets }), -1);
    for (;;) {
      const paused = read?.every((p) => p.pausedFor === marker.id) ? read : await waitForParticipants(zk, paths, marker.id, deadline, opts.onWaiting);
      read = null;
      const next: GroupConfig = { version: 1, topic: config.topic, ranges: opts.to, split: { from: config.ranges, offsets } };
      const ops: Op[] = [
        { op: 'check', path: paths.config, version: configVersion },
        ...paused.map((p): Op => ({ op: 'check', path: p.path, version: p.version })),
        { op: 'setData', path: paths.config, data: encode(next), version: configVersion },
        { op: 'remove', path: paths.resize, version: -1 },
      ];
      try {
        await zk.multi(ops);
      } catch (err) {
        // A paused process's node changed (it re-registered, resumed, or a poller marked itself unhealthy): wait for it again.
        if (err instanceof ZkError && err.opIndex !== undefined && err.opIndex >= 1 && err.opIndex <= paused.length) {
          const who = paused[err.opIndex - 1]!;
          log.info({ [who.kind]: who.id }, `a ${who.kind} changed its node during the cut-over; waiting again`);
          if (Date.now() >= deadline) throw new ResizeError(`producers or pollers kept changing until the timeout (${opts.timeoutMs} ms)`);
          continue;
        }
        if (isZkCode(err, ZK.BAD_VERSION) || isZkCode(err, ZK.NO_NODE)) {
          throw new ResizeError(`${paths.config} or the resize marker changed under the resize; nothing was changed`);
        }
        throw err;
      }
      const pausedMs = Date.now() - began;
      const ids = (kind: Participant['kind']) => paused.filter((p) => p.kind === kind).map((p) => p.id);
      log.info({ from: config.ranges, to: opts.to, producers: ids('producer').length, pollers: ids('poller').length, pausedMs, producersPausedMs }, 'resize committed');
      return { topic: config.topic, from: config.ranges, to: opts.to, offsets, producers: ids('producer'), pollers: ids('poller'), pausedMs, producersPausedMs };
    }
  } catch (err) {
    await removeMarker(zk, paths, log);
    throw err;
  }
}

function checkTarget(config: GroupConfig, to: number): void {
  const from = config.ranges;
  if (!Number.isSafeInteger(to) || to <= from || to % from !== 0) {
    throw new ResizeError(`--ranges must be a multiple of the group's ${from} ranges (for example ${2 * from}), got ${to}`);
  }
  if (to > MAX_GROUP_RANGES) throw new ResizeError(`--ranges must be at most ${MAX_GROUP_RANGES}, got ${to}`);
}

/** One resize at a time, and not until the previous one's children have all started. */
async function refuseWhileSplitDraining(zk: ZkSession, paths: GroupPaths, config: GroupConfig): Promise<void> {
  if (!config.split) return;
  const progress = await splitProgress(zk, paths, config.split);
  const waiting = progress.filter((p) => p.remaining > 0);
  if (waiting.length === 0) return;
  const sample = waiting.slice(0, 5).map((p) => `${p.partition} (${p.remaining} to go)`).join(', ');
  throw new ResizeError(
    `the previous resize (${config.split.from} -> ${config.ranges}) is still draining: old partitions ${sample}${waiting.length > 5 ? ` and ${waiting.length - 5} more` : ''} have not been handled up to their split point; try again once they have`,
  );
}

async function writeMarker(zk: ZkSession, paths: GroupPaths, marker: ResizeMarker): Promise<void> {
  try {
    await zk.create(paths.resize, encode(marker), 'ephemeral');
  } catch (err) {
    if (!isZkCode(err, ZK.NODE_EXISTS)) throw err;
    const node = await zk.getDataOrNull(paths.resize);
    const other = node ? parseResizeMarker(node.data) : null;
    const who = other?.ok ? ` (${other.value.from} -> ${other.value.to}, by pid ${other.value.pid} on ${other.value.host}, since ${other.value.startedAt})` : '';
    throw new ResizeError(`another resize is under way${who}`);
  }
}

async function removeMarker(zk: ZkSession, paths: GroupPaths, log: Logger): Promise<void> {
  try {
    const node = await zk.getDataOrNull(paths.resize);
    if (node && zk.ownsEphemeral(node.stat)) await zk.remove(paths.resize, node.stat.version);
    log.info({}, 'resize rolled back: the marker is gone and producers resume with the old range count');
  } catch (err) {
    log.warn({ err }, 'cannot delete the resize marker; it goes with our session');
  }
}

/**
 * Resolves once every registered producer and poller (or every one of kind
 * `only`) is paused for `id`, with every producer and poller of that read;
 * re-reads on every change of their nodes.
 */
async function waitForParticipants(
  zk: ZkSession,
  paths: GroupPaths,
  id: string,
  deadline: number,
  onWaiting: CutoverOptions['onWaiting'],
  only?: Participant['kind'],
): Promise<Participant[]> {
  let last = '';
  for (;;) {
    let wake!: () => void;
    const changed = new Promise<void>((resolve) => (wake = resolve));
    const read = await readParticipants(zk, paths, () => wake());
    const all = read.filter((p) => only === undefined || p.kind === only);
    const name = (p: Participant) => `${p.kind}/${p.id}`;
    const paused = all.filter((p) => p.pausedFor === id);
    const waitingFor = all.filter((p) => p.pausedFor !== id).map(name);
    const now = `${paused.map(name).join(',')}/${waitingFor.join(',')}`;
    if (now !== last) onWaiting?.({ paused: paused.map(name), waitingFor });
    last = now;
    if (waitingFor.length === 0) return read;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new ResizeError(`rolled back: ${waitingFor.length} producer(s) or poller(s) did not pause in time: ${waitingFor.slice(0, 5).join(', ')}`);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([changed, new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
    clearTimeout(timer);
  }
}
