/**
 * The JSON shapes of the group's znodes (docs/design.md, "ZooKeeper layout") and
 * strict parsers for them. Data that does not parse or does not match its
 * shape is reported and never acted on, so every parser returns a result
 * instead of throwing.
 */

import { decodeRangeSet, encodeRangeSet } from './range-set-codec.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface GroupConfig {
  version: 1;
  topic: string;
  ranges: number;
  /** The last resize (docs/design.md "Growing a group"): where each old partition's messages end. */
  split?: SplitInfo;
}

/**
 * Written with the new range count by a resize from `from` ranges: below
 * `offsets[p]`, partition p holds old range p's messages; from it on, new
 * range p's. New range j (keys of old range floor(j * from / ranges)) starts
 * past its split point only once that parent has been handled up to its own.
 */
export interface SplitInfo {
  from: number;
  /** One decimal offset per old partition p < from: its end offset at the cut-over. */
  offsets: string[];
}

/**
 * `resize`: the ephemeral node of a resize under way (its session is the
 * resize command's). Producers that see it pause and say so in their node;
 * it goes away with the cut-over (in the same multi as the new config) or
 * with a rollback.
 */
export interface ResizeMarker {
  /** Names this attempt: producers acknowledge this id. */
  id: string;
  from: number;
  to: number;
  host: string;
  pid: number;
  startedAt: string;
  /**
   * Set by the cut-over once every registered producer has paused: each old
   * partition's end offset, which the cut-over commits as its split point.
   * Pollers take them as their hold lines before they say they paused.
   */
  ends?: string[];
}

export type MemberState = 'active' | 'draining';

/** Why a poller cannot work: no Kafka broker answers it, or its handler (sidecar) refuses connections. */
export type UnhealthyReason = 'fetch-stall' | 'handler-stall';
export const UNHEALTHY_REASONS: readonly UnhealthyReason[] = ['fetch-stall', 'handler-stall'];

/**
 * Set in a member node while the poller cannot work: the leader then gives
 * its ranges to healthy pollers (docs/design.md "Unhealthy pollers").
 */
export interface Unhealthy {
  reason: UnhealthyReason;
  /** When the stall began (ISO time). */
  since: string;
  /** For people: what failed, e.g. the last Kafka error. */
  detail: string;
}

export interface MemberInfo {
  id: string;
  host: string;
  pid: number;
  weight: number;
  state: MemberState;
  startedAt: string;
  metricsUrl?: string;
  unhealthy?: Unhealthy;
  /** The id of the resize whose cut-over this poller holds for (no message starts). */
  pausedFor?: string;
}

/** A producer that follows the group (`producers/<id>`, ephemeral): who it is and the range count it sends with. */
export interface ProducerInfo {
  id: string;
  host: string;
  pid: number;
  /** The R its partitioner uses now (the config's, once it has read it). */
  ranges: number;
  startedAt: string;
  /** The id of the resize whose cut-over this producer is paused for (sends held, none in flight). */
  pausedFor?: string;
}

/**
 * The whole assignment as readers outside the leader see it (status, watch,
 * tests): the header's fields and one owner per range, assembled from the
 * header and the per-poller nodes at one committed epoch.
 */
export interface AssignmentRecord {
  epoch: number;
  leader: string;
  at: string;
  owners: (string | null)[];
  reason: string;
}

/** `assignment`: the header whose epoch is the commit point of every per-poller node. */
export interface AssignmentHeader {
  epoch: number;
  leader: string;
  at: string;
  reason: string;
  /** Only in a group written by ringleader 0.1 (one znode held every owner): read once, as the previous owners. */
  legacyOwners?: (string | null)[];
}

/** A poller's ranges as set in some epoch. */
export interface RangesAt {
  epoch: number;
  ranges: number[];
}

/**
 * `assignment/<poller>`: the poller's ranges as of `epoch`, and in `prev` the
 * ranges it had at the committed epoch before that write (readers of a header
 * older than `epoch` use them: the write may be staged, not committed yet).
 */
export interface MemberAssignmentNode extends RangesAt {
  prev: RangesAt;
}

export interface LeaseRecord {
  poller: string;
  epoch: number;
  at: string;
}

export interface OffsetRecord {
  offset: string;
  poller: string;
  epoch: number;
  at: string;
}

/** ZooKeeper's default jute.maxbuffer: a znode's data can't be larger. */
export const ZNODE_MAX_BYTES = 1024 * 1024;
/** Poller ids become znode names and fill the assignment (validatePollerId). */
export const MAX_POLLER_ID_LENGTH = 128;
/** The assignment's `reason` is cut to this many characters (it lists joined/left ids). */
export const MAX_REASON_LENGTH = 512;
/** No znode of a group may be larger than this, whatever the group's size. */
export const GROUP_ZNODE_BUDGET_BYTES = 64 * 1024;

/**
 * The largest a poller's assignment node can get for `ranges` ranges: both
 * of its range sets as bitmaps (the codec never writes anything longer) and
 * the largest epochs.
 */
export function memberAssignmentWorstCaseBytes(ranges: number): number {
  const bitmap = 'b64:' + 'A'.repeat(4 * Math.ceil(Math.ceil(ranges / 8) / 3));
  const epoch = Number.MAX_SAFE_INTEGER;
  return encode({ epoch, ranges: bitmap, prev: { epoch, ranges: bitmap } }).length;
}

/**
 * Group config allows up to this many ranges: a poller's assignment node
 * then stays below 22 KB (memberAssignmentWorstCaseBytes), the header does
 * not grow with R, and one poller's commit multi of every range it may own
 * is split into chunks below the request limit.
 */
export const MAX_GROUP_RANGES = 65_536;

export function encode(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

type Obj = Record<string, unknown>;

function parseObject(data: Buffer | string | null | undefined, what: string): Parsed<Obj> {
  if (data == null || data.length === 0) return { ok: false, error: `${what}: empty` };
  const text = typeof data === 'string' ? data : data.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `${what}: not JSON (${(err as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: `${what}: not a JSON object` };
  }
  return { ok: true, value: value as Obj };
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 1024;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isOffset = (v: unknown): v is string => typeof v === 'string' && /^(0|[1-9][0-9]{0,18})$/.test(v);

function fail<T>(what: string, field: string, expected: string): Parsed<T> {
  return { ok: false, error: `${what}: field "${field}" must be ${expected}` };
}

export function parseConfig(data: Buffer | string | null | undefined): Parsed<GroupConfig> {
  const what = 'config';
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (v.version !== 1) return fail(what, 'version', '1');
  if (!isNonEmptyString(v.topic)) return fail(what, 'topic', 'a non-empty string');
  if (!isCount(v.ranges) || v.ranges < 1 || v.ranges > MAX_GROUP_RANGES) {
    return fail(what, 'ranges', `an integer from 1 to ${MAX_GROUP_RANGES}`);
  }
  if (v.split === undefined) return { ok: true, value: { version: 1, topic: v.topic, ranges: v.ranges } };
  const split = parseSplit(v.split, v.ranges);
  if (!split.ok) return split;
  return { ok: true, value: { version: 1, topic: v.topic, ranges: v.ranges, split: split.value } };
}

function parseSplit(v: unknown, ranges: number): Parsed<SplitInfo> {
  const what = 'config';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(what, 'split', 'an object');
  const o = v as Obj;
  if (!isCount(o.from) || o.from < 1 || o.from >= ranges || ranges % o.from !== 0) {
    return fail(what, 'split.from', `a divisor of ranges (${ranges}) below it`);
  }
  const from = o.from;
  if (!Array.isArray(o.offsets) || o.offsets.length !== from || !o.offsets.every(isOffset)) {
    return fail(what, 'split.offsets', `${from} decimal offsets (one per old partition)`);
  }
  return { ok: true, value: { from, offsets: [...(o.offsets as string[])] } };
}

export function parseResizeMarker(data: Buffer | string | null | undefined): Parsed<ResizeMarker> {
  const what = 'resize';
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isNonEmptyString(v.id) || !/^[A-Za-z0-9._-]+$/.test(v.id)) return fail(what, 'id', "letters, digits, '.', '_' or '-'");
  if (!isCount(v.from) || v.from < 1) return fail(what, 'from', 'a positive integer');
  if (!isCount(v.to) || v.to <= v.from || v.to > MAX_GROUP_RANGES || v.to % v.from !== 0) {
    return fail(what, 'to', `a multiple of from (${v.from}) up to ${MAX_GROUP_RANGES}`);
  }
  if (typeof v.host !== 'string') return fail(what, 'host', 'a string');
  if (!isCount(v.pid)) return fail(what, 'pid', 'a non-negative integer');
  if (typeof v.startedAt !== 'string') return fail(what, 'startedAt', 'a string');
  if (v.ends !== undefined && (!Array.isArray(v.ends) || v.ends.length !== v.from || !v.ends.every(isOffset))) {
    return fail(what, 'ends', `${v.from} decimal offsets (one per old partition)`);
  }
  const value: ResizeMarker = { id: v.id, from: v.from, to: v.to, host: v.host, pid: v.pid, startedAt: v.startedAt };
  if (v.ends !== undefined) value.ends = [...(v.ends as string[])];
  return { ok: true, value };
}

/** The id (the znode name), host and pid of a process's ephemeral node (`pollers/<id>`, `producers/<id>`), or why they are wrong. */
function processIdentity(v: Obj, what: string, kind: string, expectedId: string | undefined): Parsed<{ id: string; host: string; pid: number }> {
  if (!isNonEmptyString(v.id) || !/^[A-Za-z0-9._-]+$/.test(v.id) || v.id.length > MAX_POLLER_ID_LENGTH) {
    return fail(what, 'id', `a ${kind} id (1-${MAX_POLLER_ID_LENGTH} letters, digits, '.', '_' or '-')`);
  }
  if (expectedId !== undefined && v.id !== expectedId) return fail(what, 'id', `"${expectedId}" (the znode name)`);
  if (typeof v.host !== 'string') return fail(what, 'host', 'a string');
  if (!isCount(v.pid)) return fail(what, 'pid', 'a non-negative integer');
  return { ok: true, value: { id: v.id, host: v.host, pid: v.pid } };
}

export function parseMember(data: Buffer | string | null | undefined, expectedId?: string): Parsed<MemberInfo> {
  const what = `poller${expectedId ? ` ${expectedId}` : ''}`;
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  const who = processIdentity(v, what, 'poller', expectedId);
  if (!who.ok) return who;
  if (typeof v.weight !== 'number' || !Number.isFinite(v.weight) || v.weight <= 0 || v.weight > 1_000_000) {
    return fail(what, 'weight', 'a positive number');
  }
  if (v.state !== 'active' && v.state !== 'draining') return fail(what, 'state', '"active" or "draining"');
  if (typeof v.startedAt !== 'string') return fail(what, 'startedAt', 'a string');
  if (v.metricsUrl !== undefined && typeof v.metricsUrl !== 'string') return fail(what, 'metricsUrl', 'a string');
  const m: MemberInfo = { ...who.value, weight: v.weight, state: v.state, startedAt: v.startedAt };
  if (typeof v.metricsUrl === 'string') m.metricsUrl = v.metricsUrl;
  if (v.unhealthy !== undefined) {
    const u = v.unhealthy as Record<string, unknown> | null;
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return fail(what, 'unhealthy', 'an object');
    if (!UNHEALTHY_REASONS.includes(u.reason as UnhealthyReason)) return fail(what, 'unhealthy.reason', '"fetch-stall" or "handler-stall"');
    if (typeof u.since !== 'string') return fail(what, 'unhealthy.since', 'a string');
    if (typeof u.detail !== 'string') return fail(what, 'unhealthy.detail', 'a string');
    m.unhealthy = { reason: u.reason as UnhealthyReason, since: u.since, detail: u.detail };
  }
  if (v.pausedFor !== undefined) {
    if (!isNonEmptyString(v.pausedFor)) return fail(what, 'pausedFor', 'a resize id');
    m.pausedFor = v.pausedFor;
  }
  return { ok: true, value: m };
}

export function parseProducer(data: Buffer | string | null | undefined, expectedId?: string): Parsed<ProducerInfo> {
  const what = `producer${expectedId ? ` ${expectedId}` : ''}`;
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  const who = processIdentity(v, what, 'producer', expectedId);
  if (!who.ok) return who;
  if (!isCount(v.ranges) || v.ranges < 1 || v.ranges > MAX_GROUP_RANGES) return fail(what, 'ranges', `an integer from 1 to ${MAX_GROUP_RANGES}`);
  if (typeof v.startedAt !== 'string') return fail(what, 'startedAt', 'a string');
  const info: ProducerInfo = { ...who.value, ranges: v.ranges, startedAt: v.startedAt };
  if (v.pausedFor !== undefined) {
    if (!isNonEmptyString(v.pausedFor)) return fail(what, 'pausedFor', 'a resize id');
    info.pausedFor = v.pausedFor;
  }
  return { ok: true, value: info };
}

export function parseAssignmentHeader(data: Buffer | string | null | undefined, ranges?: number): Parsed<AssignmentHeader> {
  const what = 'assignment';
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isCount(v.epoch)) return fail(what, 'epoch', 'a non-negative integer');
  if (typeof v.leader !== 'string') return fail(what, 'leader', 'a string');
  if (typeof v.at !== 'string') return fail(what, 'at', 'a string');
  if (typeof v.reason !== 'string') return fail(what, 'reason', 'a string');
  const header: AssignmentHeader = { epoch: v.epoch, leader: v.leader, at: v.at, reason: v.reason };
  if (v.owners !== undefined) {
    if (!Array.isArray(v.owners) || !v.owners.every((x) => x === null || isNonEmptyString(x))) {
      return fail(what, 'owners', 'an array of poller ids or nulls');
    }
    if (ranges !== undefined && v.owners.length !== ranges) {
      return fail(what, 'owners', `an array of ${ranges} entries (one per range)`);
    }
    header.legacyOwners = v.owners as (string | null)[];
  }
  return { ok: true, value: header };
}

export function parseMemberAssignment(data: Buffer | string | null | undefined, ranges: number, id?: string): Parsed<MemberAssignmentNode> {
  const what = `assignment${id ? `/${id}` : ''}`;
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isCount(v.epoch)) return fail(what, 'epoch', 'a non-negative integer');
  const own = decodeRangeSet(v.ranges, ranges);
  if (!own.ok) return { ok: false, error: `${what}: ${own.error}` };
  const p = v.prev;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return fail(what, 'prev', 'an object {epoch, ranges}');
  const prev = p as Obj;
  if (!isCount(prev.epoch) || prev.epoch > v.epoch) return fail(what, 'prev.epoch', 'a non-negative integer not above epoch');
  const before = decodeRangeSet(prev.ranges, ranges);
  if (!before.ok) return { ok: false, error: `${what}: prev.${before.error}` };
  return { ok: true, value: { epoch: v.epoch, ranges: own.value, prev: { epoch: prev.epoch, ranges: before.value } } };
}

/** The node as written: range sets in their short form. */
export function encodeMemberAssignment(node: MemberAssignmentNode, total: number): Buffer {
  return encode({
    epoch: node.epoch,
    ranges: encodeRangeSet(node.ranges, total),
    prev: { epoch: node.prev.epoch, ranges: encodeRangeSet(node.prev.ranges, total) },
  });
}

export function parseLease(data: Buffer | string | null | undefined): Parsed<LeaseRecord> {
  const what = 'lease';
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isNonEmptyString(v.poller)) return fail(what, 'poller', 'a non-empty string');
  if (!isCount(v.epoch)) return fail(what, 'epoch', 'a non-negative integer');
  if (typeof v.at !== 'string') return fail(what, 'at', 'a string');
  return { ok: true, value: { poller: v.poller, epoch: v.epoch, at: v.at } };
}

export function parseOffset(data: Buffer | string | null | undefined): Parsed<OffsetRecord> {
  const what = 'offset';
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isOffset(v.offset)) return fail(what, 'offset', 'a decimal string (the next offset to read)');
  if (typeof v.poller !== 'string') return fail(what, 'poller', 'a string');
  if (!isCount(v.epoch)) return fail(what, 'epoch', 'a non-negative integer');
  if (typeof v.at !== 'string') return fail(what, 'at', 'a string');
  return { ok: true, value: { offset: v.offset, poller: v.poller, epoch: v.epoch, at: v.at } };
}
