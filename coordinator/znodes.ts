/**
 * The JSON shapes of the group's znodes (docs/design.md, "ZooKeeper layout") and
 * strict parsers for them. Data that does not parse or does not match its
 * shape is reported and never acted on, so every parser returns a result
 * instead of throwing.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface GroupConfig {
  version: 1;
  topic: string;
  ranges: number;
}

export type MemberState = 'active' | 'draining';

export interface MemberInfo {
  id: string;
  host: string;
  pid: number;
  weight: number;
  state: MemberState;
  startedAt: string;
  metricsUrl?: string;
}

export interface AssignmentRecord {
  epoch: number;
  leader: string;
  at: string;
  owners: (string | null)[];
  reason: string;
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
/**
 * What the assignment's data may take: the 1 MiB limit applies to the whole
 * request (ZooKeeper 3.9.5 accepted at most 1,048,480 data bytes in the
 * coordinator's check+setData multi, and drops the connection above it),
 * and followers receive it wrapped in a proposal, so keep 64 KiB of headroom.
 */
export const ASSIGNMENT_BUDGET_BYTES = ZNODE_MAX_BYTES - 64 * 1024;

/**
 * The largest the assignment of `ranges` ranges can get: every owner a
 * distinct poller id of MAX_POLLER_ID_LENGTH characters, a 256-character
 * leader id, the largest epoch and the longest reason (ids and reasons need
 * no JSON escaping: ids are [A-Za-z0-9._-]).
 */
export function assignmentWorstCaseBytes(ranges: number): number {
  const id = 'x'.repeat(MAX_POLLER_ID_LENGTH);
  const fixed = encode({ epoch: Number.MAX_SAFE_INTEGER, leader: 'x'.repeat(256), at: new Date(0).toISOString(), owners: [], reason: 'x'.repeat(MAX_REASON_LENGTH) }).length;
  return fixed + ranges * (id.length + 2) + Math.max(0, ranges - 1);
}

/**
 * Group config allows up to this many ranges: the largest multiple of 1,024
 * whose worst-case assignment (939,869 bytes) fits ASSIGNMENT_BUDGET_BYTES.
 * The largest R whose worst-case assignment fits ZooKeeper's limit at all is
 * about 7,996 (test/security-limits.test.ts measures it).
 */
export const MAX_GROUP_RANGES = 7_168;

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
  return { ok: true, value: { version: 1, topic: v.topic, ranges: v.ranges } };
}

export function parseMember(data: Buffer | string | null | undefined, expectedId?: string): Parsed<MemberInfo> {
  const what = `poller${expectedId ? ` ${expectedId}` : ''}`;
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isNonEmptyString(v.id) || !/^[A-Za-z0-9._-]+$/.test(v.id) || v.id.length > MAX_POLLER_ID_LENGTH) {
    return fail(what, 'id', `a poller id (1-${MAX_POLLER_ID_LENGTH} letters, digits, '.', '_' or '-')`);
  }
  if (expectedId !== undefined && v.id !== expectedId) return fail(what, 'id', `"${expectedId}" (the znode name)`);
  if (typeof v.host !== 'string') return fail(what, 'host', 'a string');
  if (!isCount(v.pid)) return fail(what, 'pid', 'a non-negative integer');
  if (typeof v.weight !== 'number' || !Number.isFinite(v.weight) || v.weight <= 0 || v.weight > 1_000_000) {
    return fail(what, 'weight', 'a positive number');
  }
  if (v.state !== 'active' && v.state !== 'draining') return fail(what, 'state', '"active" or "draining"');
  if (typeof v.startedAt !== 'string') return fail(what, 'startedAt', 'a string');
  if (v.metricsUrl !== undefined && typeof v.metricsUrl !== 'string') return fail(what, 'metricsUrl', 'a string');
  const m: MemberInfo = { id: v.id, host: v.host, pid: v.pid, weight: v.weight, state: v.state, startedAt: v.startedAt };
  if (typeof v.metricsUrl === 'string') m.metricsUrl = v.metricsUrl;
  return { ok: true, value: m };
}

export function parseAssignment(data: Buffer | string | null | undefined, ranges?: number): Parsed<AssignmentRecord> {
  const what = 'assignment';
  const o = parseObject(data, what);
  if (!o.ok) return o;
  const v = o.value;
  if (!isCount(v.epoch)) return fail(what, 'epoch', 'a non-negative integer');
  if (typeof v.leader !== 'string') return fail(what, 'leader', 'a string');
  if (typeof v.at !== 'string') return fail(what, 'at', 'a string');
  if (typeof v.reason !== 'string') return fail(what, 'reason', 'a string');
  if (!Array.isArray(v.owners) || !v.owners.every((x) => x === null || isNonEmptyString(x))) {
    return fail(what, 'owners', 'an array of poller ids or nulls');
  }
  if (ranges !== undefined && v.owners.length !== ranges) {
    return fail(what, 'owners', `an array of ${ranges} entries (one per range)`);
  }
  return {
    ok: true,
    value: { epoch: v.epoch, leader: v.leader, at: v.at, reason: v.reason, owners: v.owners as (string | null)[] },
  };
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
