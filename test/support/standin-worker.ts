// A stand-in for the poller's Kafka work: a RangeConsumer that only records
// when it started, stopped and lost each range, plus in-process members
// (ZkSession + Membership + AssignedRanges + Coordinator candidate) built
// on it. Plain Node (no vitest import) so the child-process fixture
// standin-member.ts can use it from dist/.
import os from 'node:os';
import type { Logger } from 'pino';
import { Coordinator, GroupPaths, Membership, ZkSession, type Offset } from '../../coordinator/index.js';
import { AssignedRanges } from '../../poller/assigned-ranges.js';
import type { RangeConsumer } from '../../poller/range-ownership.js';

export type StandinKind = 'start' | 'stop' | 'lost';

export interface StandinEvent {
  member: string;
  range: number;
  kind: StandinKind;
  at: number;
  /** For `start`: the committed offset it resumed from. */
  from?: string | null;
}

/** Every stand-in worker of a test writes here, so per-range exclusivity can be checked across members. */
export class Timeline {
  readonly events: StandinEvent[] = [];

  record(e: StandinEvent): void {
    this.events.push(e);
  }

  /** Intervals [start, end) per range; end is null while still held. */
  intervals(): { member: string; range: number; start: number; end: number | null }[] {
    const open = new Map<string, { member: string; range: number; start: number; end: number | null }>();
    const out: { member: string; range: number; start: number; end: number | null }[] = [];
    for (const e of this.events) {
      const key = `${e.member}\u0000${e.range}`;
      if (e.kind === 'start') {
        const iv = { member: e.member, range: e.range, start: e.at, end: null as number | null };
        open.set(key, iv);
        out.push(iv);
      } else {
        const iv = open.get(key);
        if (iv) iv.end = e.at;
        open.delete(key);
      }
    }
    return out;
  }

  /**
   * Descriptions of every instant where two members worked on one range at
   * once (empty when exclusivity held). `now` closes intervals still open.
   */
  overlaps(now = Date.now()): string[] {
    const byRange = new Map<number, { member: string; start: number; end: number }[]>();
    for (const iv of this.intervals()) {
      const list = byRange.get(iv.range) ?? [];
      list.push({ member: iv.member, start: iv.start, end: iv.end ?? now });
      byRange.set(iv.range, list);
    }
    const problems: string[] = [];
    for (const [range, list] of byRange) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) {
        const a = list[i - 1]!;
        const b = list[i]!;
        if (b.start < a.end) problems.push(`range ${range}: ${b.member} started at ${b.start} before ${a.member} stopped at ${a.end}`);
      }
    }
    return problems;
  }

  after(t: number, kinds: StandinKind[] = ['start', 'stop', 'lost']): StandinEvent[] {
    return this.events.filter((e) => e.at >= t && kinds.includes(e.kind));
  }
}

/** Records start/stop/lost; hands out an ever-growing "acknowledged" offset so commits happen. */
export class StandinWorker implements RangeConsumer {
  private readonly next = new Map<number, Offset>();

  constructor(
    readonly member: string,
    private readonly timeline: Timeline,
    private readonly onEvent?: (e: StandinEvent) => void,
  ) {}

  private note(e: StandinEvent): void {
    this.timeline.record(e);
    this.onEvent?.(e);
  }

  start(range: number, from: Offset | null): void {
    this.next.set(range, from ?? 0);
    this.note({ member: this.member, range, kind: 'start', at: Date.now(), from: from === null ? null : String(from) });
  }

  async stop(range: number): Promise<Offset | null> {
    this.note({ member: this.member, range, kind: 'stop', at: Date.now() });
    const n = this.next.get(range);
    this.next.delete(range);
    return n === undefined ? null : n + 1;
  }

  lost(range: number): void {
    this.note({ member: this.member, range, kind: 'lost', at: Date.now() });
    this.next.delete(range);
  }

  committable(range: number): Offset | null {
    const n = this.next.get(range);
    if (n === undefined) return null;
    this.next.set(range, n + 1);
    return n + 1;
  }

  held(): number[] {
    return [...this.next.keys()].sort((a, b) => a - b);
  }
}

export interface StandinMemberOptions {
  connect: string;
  group: string;
  id: string;
  ranges: number;
  timeline: Timeline;
  sessionTimeoutMs?: number;
  /** Take part in leader election (default true). */
  coordinator?: boolean;
  settleMs?: number;
  weight?: number;
  commitIntervalMs?: number;
  logger?: Logger;
  onEvent?: (e: StandinEvent) => void;
}

/** One in-process member: the control plane of a poller with a stand-in worker. */
export class StandinMember {
  readonly zk: ZkSession;
  readonly paths: GroupPaths;
  readonly worker: StandinWorker;
  readonly membership: Membership;
  readonly assigned: AssignedRanges;
  readonly coordinator: Coordinator | null;
  readonly id: string;
  drained: Promise<void> | null = null;
  private closed = false;

  constructor(readonly opts: StandinMemberOptions) {
    this.id = opts.id;
    this.zk = new ZkSession({
      connect: opts.connect,
      sessionTimeoutMs: opts.sessionTimeoutMs ?? 4_000,
      connectTimeoutMs: 30_000,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    this.paths = new GroupPaths(opts.group);
    this.worker = new StandinWorker(opts.id, opts.timeline, opts.onEvent);
    this.membership = new Membership(
      this.zk,
      this.paths,
      { id: opts.id, host: os.hostname(), pid: process.pid, weight: opts.weight ?? 1, state: 'active', startedAt: new Date().toISOString() },
      opts.logger,
    );
    this.assigned = new AssignedRanges({
      zk: this.zk,
      paths: this.paths,
      pollerId: opts.id,
      ranges: opts.ranges,
      consumer: this.worker,
      commitIntervalMs: opts.commitIntervalMs ?? 300,
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
    this.coordinator =
      opts.coordinator === false
        ? null
        : new Coordinator({ zk: this.zk, paths: this.paths, id: opts.id, settleMs: opts.settleMs ?? 200, ...(opts.logger ? { logger: opts.logger } : {}) });
    // A drain requested from outside (`ringleader drain <id>`): give up
    // leadership, wait until the leader moved our ranges away, release, leave.
    this.membership.on('drain-requested', () => {
      this.drained = this.drain();
    });
  }

  async start(): Promise<this> {
    await this.zk.start();
    await this.membership.register();
    await this.assigned.start();
    await this.coordinator?.start();
    return this;
  }

  /** Whether the current assignment gives us nothing and we hold nothing. */
  private empty(): boolean {
    const a = this.assigned.currentAssignment;
    return this.assigned.ownedRanges().length === 0 && !!a && a.ranges.size === 0;
  }

  private async drain(): Promise<void> {
    await this.coordinator?.close();
    const until = Date.now() + 20_000;
    while (!this.empty() && Date.now() < until && !this.closed) await new Promise((r) => setTimeout(r, 50));
    await this.close();
  }

  /** Graceful leave: give up leadership, release every range, delete the member node, close the session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.coordinator?.close().catch(() => undefined);
    await this.assigned.close().catch(() => undefined);
    await this.membership.deregister().catch(() => undefined);
    await this.zk.close();
  }
}
