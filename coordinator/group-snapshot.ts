import type { ZkSession } from './zk-session.js';
import type { GroupPaths } from './group-paths.js';
import { parseConfig, parseLease, parseOffset, parseProducer, parseResizeMarker, type MemberInfo, type Parsed, type ProducerInfo, type ResizeMarker, type Unhealthy } from './znodes.js';
import { progressOf, type ParentProgress } from './split-progress.js';
import { readMembers, type Problem } from './member-reader.js';
import { readAssignment } from './assignment-reader.js';
import { sequenceOf } from './leader-latch.js';
import { statTime } from './stat-time.js';

export interface PollerView {
  id: string;
  host: string;
  pid: number;
  weight: number;
  state: MemberInfo['state'];
  metricsUrl?: string;
  /** Set while the poller says it cannot work (docs/design.md "Unhealthy pollers"). */
  unhealthy?: Unhealthy;
  /** Set while the poller holds for a resize's cut-over (the resize's id). */
  pausedFor?: string;
  /** Ranges whose lease this poller holds. */
  ranges: number[];
}

export interface RangeView {
  range: number;
  assigned: string | null;
  owner: string | null;
  committed: string | null;
  /** When ZooKeeper last wrote the range's offset node, and which poller wrote it. */
  committedAt?: string | null;
  committedBy?: string | null;
  /** When ZooKeeper created the owner's lease. */
  ownerSince?: string | null;
  end?: string | null;
  lag?: number | null;
}

/** The shape of `ringleader status --json` (docs/design.md, "CLI"), plus `problems`. */
export interface GroupSnapshot {
  group: string;
  topic: string | null;
  ranges: number;
  epoch: number | null;
  leader: string | null;
  pollers: PollerView[];
  assignment: RangeView[];
  converged: boolean;
  /** Znodes whose data is malformed: reported, never acted on. */
  problems: Problem[];
  /** Producers that follow the group (producers/<id>); absent in snapshots made by hand. */
  producers?: ProducerInfo[];
  /** A resize under way (its marker), if any. */
  resize?: ResizeMarker | null;
  /** The last resize's split, and how far each old partition is from its split point. */
  split?: SplitView | null;
  /** When the current assignment was published (not part of the JSON contract's required fields). */
  assignmentAt?: string | null;
  reason?: string | null;
}

export interface SplitView {
  from: number;
  to: number;
  parents: ParentProgress[];
}

export type EndOffsets = (topic: string, ranges: number) => Promise<Map<number, string>>;

/** Reads everything of a group once, tolerating (and reporting) malformed nodes. */
export async function readGroupSnapshot(zk: ZkSession, paths: GroupPaths, endOffsets?: EndOffsets): Promise<GroupSnapshot> {
  const problems: Problem[] = [];
  const configNode = await zk.getDataOrNull(paths.config);
  if (!configNode) throw new Error(`group "${paths.group}" does not exist (no ${paths.config})`);
  const config = parseConfig(configNode.data);
  if (!config.ok) problems.push({ path: paths.config, error: config.error });
  const ranges = config.ok ? config.value.ranges : 0;
  const topic = config.ok ? config.value.topic : null;

  // Read effects before their causes: a member joins, then the leader
  // publishes an assignment, then pollers move leases and commit. One session's
  // reads are answered in order, each from a state no older than the last, so
  // reading leases and offsets first, then the assignment, then the members
  // never shows a lease taken under an assignment this snapshot does not
  // have, nor an assignment naming a poller it does not list. (Read all at
  // once, `watch` printed w3's acquisitions before the assignment that gave
  // them, when the handoff fell between the reads.)
  const [leases, offsets] = await Promise.all([readChildrenData(zk, paths.leases), readChildrenData(zk, paths.offsets)]);
  const assignment = config.ok ? await readAssignment(zk, paths, ranges) : { record: null, version: -1, problem: undefined, problems: [] };
  const [{ members, problems: memberProblems }, leader, producerNodes, markerNode] = await Promise.all([
    readMembers(zk, paths),
    readLeader(zk, paths),
    readChildrenData(zk, paths.producers),
    zk.getDataOrNull(paths.resize),
  ]);
  problems.push(...memberProblems);
  if (assignment.problem) problems.push({ path: paths.assignment, error: assignment.problem });
  problems.push(...assignment.problems);

  const owners = perRange(leases, ranges, paths.leases, 'lease', parseLease, (l, at) => ({ poller: l.poller, at }), problems);
  const commits = perRange(offsets, ranges, paths.offsets, 'offset', parseOffset, (o, at) => ({ offset: o.offset, poller: o.poller, at }), problems);
  const ends = endOffsets && topic ? await readEnds(endOffsets, topic, ranges, problems) : null;
  const assigned = assignment.record?.owners ?? new Array<string | null>(ranges).fill(null);
  const rows = rangeRows(ranges, assigned, owners, commits, ends);
  const pollers = members.map((m) => pollerView(m, rows));
  const converged = assignment.record !== null && ranges > 0 && rows.every((row) => row.assigned !== null && row.owner === row.assigned);
  const producers: ProducerInfo[] = [];
  for (const n of producerNodes) {
    const parsed = parseProducer(n.data, n.name);
    if (parsed.ok) producers.push(parsed.value);
    else problems.push({ path: `${paths.producers}/${n.name}`, error: parsed.error });
  }
  let resize: ResizeMarker | null = null;
  if (markerNode) {
    const m = parseResizeMarker(markerNode.data);
    if (m.ok) resize = m.value;
    else problems.push({ path: paths.resize, error: m.error });
  }
  const split = config.ok && config.value.split
    ? { from: config.value.split.from, to: ranges, parents: progressOf(config.value.split, (p) => commits[p]?.offset ?? null) }
    : null;
  return {
    group: paths.group,
    topic,
    ranges,
    epoch: assignment.record?.epoch ?? null,
    leader,
    pollers,
    assignment: rows,
    converged,
    problems,
    producers,
    resize,
    split,
    assignmentAt: assignment.record?.at ?? null,
    reason: assignment.record?.reason ?? null,
  };
}

/**
 * One value per range from the children of `leases/` or `offsets/`, given
 * the node's data and when ZooKeeper created (leases) or last wrote it
 * (offsets); unusable children become problems.
 */
function perRange<T, V>(
  children: ChildNode[],
  ranges: number,
  parent: string,
  kind: 'lease' | 'offset',
  parse: (data: Buffer) => Parsed<T>,
  pick: (value: T, at: string) => V,
  problems: Problem[],
): (V | null)[] {
  const out = new Array<V | null>(ranges).fill(null);
  for (const { name, data, ctime, mtime } of children) {
    const r = rangeIndex(name, ranges);
    const parsed = parse(data);
    if (r === null) problems.push({ path: `${parent}/${name}`, error: `${kind}: not a range of this group` });
    else if (!parsed.ok) problems.push({ path: `${parent}/${name}`, error: parsed.error });
    else out[r] = pick(parsed.value, new Date(kind === 'lease' ? ctime : mtime).toISOString());
  }
  return out;
}

async function readEnds(endOffsets: EndOffsets, topic: string, ranges: number, problems: Problem[]): Promise<Map<number, string> | null> {
  try {
    return await endOffsets(topic, ranges);
  } catch (err) {
    // ZooKeeper's view is still worth showing when Kafka can't tell us the end offsets.
    problems.push({ path: `kafka:${topic}`, error: `cannot read end offsets: ${(err as Error).message.split('\n')[0]}` });
    return null;
  }
}

function rangeRows(
  ranges: number,
  assigned: readonly (string | null)[],
  owners: readonly ({ poller: string; at: string } | null)[],
  commits: readonly ({ offset: string; poller: string; at: string } | null)[],
  ends: Map<number, string> | null,
): RangeView[] {
  const rows: RangeView[] = [];
  for (let r = 0; r < ranges; r++) {
    const owner = owners[r] ?? null;
    const commit = commits[r] ?? null;
    const row: RangeView = {
      range: r,
      assigned: assigned[r] ?? null,
      owner: owner?.poller ?? null,
      committed: commit?.offset ?? null,
      committedAt: commit?.at ?? null,
      committedBy: commit?.poller ?? null,
      ownerSince: owner?.at ?? null,
    };
    if (ends) {
      const end = ends.get(r) ?? null;
      row.end = end;
      row.lag = end === null ? null : Math.max(0, Number(BigInt(end) - BigInt(row.committed ?? '0')));
    }
    rows.push(row);
  }
  return rows;
}

function pollerView(m: MemberInfo, rows: readonly RangeView[]): PollerView {
  const v: PollerView = { id: m.id, host: m.host, pid: m.pid, weight: m.weight, state: m.state, ranges: [] };
  if (m.metricsUrl) v.metricsUrl = m.metricsUrl;
  if (m.unhealthy) v.unhealthy = m.unhealthy;
  if (m.pausedFor) v.pausedFor = m.pausedFor;
  for (const row of rows) if (row.owner === m.id) v.ranges.push(row.range);
  return v;
}

function rangeIndex(name: string, ranges: number): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(name)) return null;
  const r = Number(name);
  return r < ranges ? r : null;
}

interface ChildNode {
  name: string;
  data: Buffer;
  /** ZooKeeper's creation and last-write times (ms since the epoch, the server's clock). */
  ctime: number;
  mtime: number;
}

async function readChildrenData(zk: ZkSession, path: string): Promise<ChildNode[]> {
  const names = await zk.getChildren(path).catch(() => [] as string[]);
  const nodes = await Promise.all(names.map((n) => zk.getDataOrNull(`${path}/${n}`)));
  const out: ChildNode[] = [];
  names.forEach((name, i) => {
    const node = nodes[i];
    if (node) out.push({ name, data: node.data, ctime: statTime(node.stat.ctime), mtime: statTime(node.stat.mtime) });
  });
  return out;
}

/** The id written in the lowest `leader/n_` node, i.e. the current leader. */
export async function readLeader(zk: ZkSession, paths: GroupPaths): Promise<string | null> {
  return (await readLeaderNode(zk, paths))?.id ?? null;
}

/**
 * The lowest `leader/n_` node and the id written in it. The node tells a
 * restarted candidate (same id, new node) from the one it replaced.
 */
export async function readLeaderNode(zk: ZkSession, paths: GroupPaths): Promise<{ id: string | null; node: string } | null> {
  const children = (await zk.getChildren(paths.leader).catch(() => [] as string[])).sort((a, b) => sequenceOf(a) - sequenceOf(b));
  for (const child of children) {
    const node = await zk.getDataOrNull(`${paths.leader}/${child}`);
    if (!node) continue;
    try {
      const v = JSON.parse(node.data.toString('utf8')) as { id?: unknown };
      return { id: typeof v.id === 'string' ? v.id : null, node: child };
    } catch {
      return { id: null, node: child };
    }
  }
  return null;
}
