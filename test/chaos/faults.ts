// Carries out the planned faults against the live cluster. Targets are picked
// at run time among the eligible processes with the schedule's seeded draw;
// a fault with no eligible target is skipped (and counted as skipped).
import { rmSync, writeFileSync } from 'node:fs';
import type { Infra } from '../../infra/index.js';
import type { Cluster, PollerSlot } from './cluster.js';
import { holdPartition } from './network-partition.js';
import { runCli } from './processes.js';
import { incKey, type FaultEvent, type Incarnation } from './records.js';
import { influenceEnd, movesRanges, type FaultKind, type PlannedFault } from './schedule.js';
import { BrokerFaults } from './broker-faults.js';
import { atMost, sleep } from '../support/wait-for.js';

export interface FaultContext {
  infra: Infra;
  cluster: Cluster;
  zk: string;
  group: string;
  log: (line: string) => void;
  /** Bounds for the poller population. */
  minPollers: number;
  maxPollers: number;
}


export class FaultInjector {
  readonly events: FaultEvent[] = [];
  readonly skipped: { n: number; kind: FaultKind; why: string }[] = [];
  private readonly pending = new Set<Promise<void>>();
  /** Faults under way that can move ranges (see `movesRanges`). */
  private readonly disturbing = new Set<Promise<void>>();
  private zkDown = false;
  private readonly coordinatorDown = new Set<string>();
  private readonly brokers: BrokerFaults;

  constructor(private readonly c: FaultContext) {
    this.brokers = new BrokerFaults({
      kafka: c.infra.kafka,
      log: c.log,
      record: (f, target, detail) => this.record(f, target, detail),
      skip: (f, why) => this.skip(f, why),
    });
  }

  /** Waits until the broker faults queued so far are over. */
  async brokerFaultsDone(): Promise<void> {
    while (this.brokers.busy > 0) await sleep(200);
  }

  /** Starts a fault; its recovery part (restart, SIGCONT...) runs in the background. */
  async inject(f: PlannedFault): Promise<void> {
    const task = this.run(f).catch((err: unknown) => {
      this.c.log(`fault #${f.n} ${f.kind} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    });
    this.pending.add(task);
    if (movesRanges(f.kind)) this.disturbing.add(task);
    void task
      .finally(() => {
        this.pending.delete(task);
        this.disturbing.delete(task);
      })
      .catch(() => undefined);
    // Wait for the injection itself (not the hold) so that faults stay in schedule order.
    await sleep(0);
  }

  /**
   * Waits until no fault that can move ranges is under way or within its
   * influence window (plus `marginMs`): the quiet spell a quiet kill needs.
   * Faults run longer than planned on a loaded machine; this is what makes
   * the schedule's promise hold. Resolves with how long it waited.
   */
  async quiet(sessionTimeoutMs: number, marginMs: number, signal?: AbortSignal): Promise<number> {
    const t0 = Date.now();
    while (!signal?.aborted) {
      const ends = this.events.filter((e) => movesRanges(e.kind)).map((e) => influenceEnd(e, sessionTimeoutMs));
      if (this.disturbing.size === 0 && Date.now() >= Math.max(0, ...ends) + marginMs) break;
      await sleep(100);
    }
    return Date.now() - t0;
  }

  /** Waits for every fault to finish its recovery part. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private skip(f: PlannedFault, why: string): void {
    this.skipped.push({ n: f.n, kind: f.kind, why });
    this.c.log(`fault #${f.n} ${f.kind} skipped: ${why}`);
  }

  private record(f: PlannedFault, target: string, detail?: string): FaultEvent {
    const e: FaultEvent = { n: f.n, kind: f.kind, target, at: Date.now(), ...(detail ? { detail } : {}) };
    this.events.push(e);
    this.c.log(`fault #${f.n} ${f.kind} ${target}${detail ? ` (${detail})` : ''}${f.holdMs ? ` for ${f.holdMs} ms` : ''}`);
    return e;
  }

  private pick<T>(f: PlannedFault, items: T[]): T | undefined {
    return items[Math.floor(f.pick * items.length)];
  }

  private async run(f: PlannedFault): Promise<void> {
    switch (f.kind) {
      case 'poller-kill':
        return this.killPoller(f);
      case 'poller-pause':
        return this.pausePoller(f);
      case 'coordinator-kill':
        return this.killLeadingCoordinator(f);
      case 'zk-kill':
      case 'zk-pause':
        return this.faultZooKeeper(f);
      case 'scale-out':
        return this.scaleOut(f);
      case 'scale-in':
        return this.scaleIn(f);
      case 'slow-handler':
        return this.slowHandler(f);
      case 'broker-kill':
      case 'broker-pause':
        return this.brokers.run({ ...f, kind: f.kind });
      case 'zk-partition':
      case 'kafka-partition':
        return this.partitionPoller(f);
      case 'resize':
        return this.resize(f);
      default: {
        // A fault kind added to the schedule without a case here must not pass silently.
        const unhandled: never = f.kind;
        throw new Error(`no injector for fault kind ${String(unhandled)}`);
      }
    }
  }

  /** The poller a kill or freeze hits, recorded as its target; null (the fault skipped) unless another poller stays up. */
  private pollerToDisturb(f: PlannedFault): { slot: PollerSlot; inc: Incarnation; e: FaultEvent } | null {
    const up = this.c.cluster.up();
    if (up.length < 2) {
      this.skip(f, `only ${up.length} poller(s) up`);
      return null;
    }
    const slot = this.pick(f, up)!;
    const inc = slot.current!;
    const e = this.record(f, incKey(slot.id, slot.inc));
    return { slot, inc, e };
  }

  private async killPoller(f: PlannedFault): Promise<void> {
    const target = this.pollerToDisturb(f);
    if (!target) return;
    const { slot, inc, e } = target;
    slot.state = 'killed';
    inc.endedBy = 'kill';
    inc.endedAt = Date.now();
    await slot.proc!.kill();
    await sleep(f.holdMs);
    this.c.cluster.startPoller(slot.id);
    e.until = Date.now();
    this.c.log(`fault #${f.n} ${f.kind}: restarted ${slot.id} as ${incKey(slot.id, slot.inc)}`);
  }

  private async pausePoller(f: PlannedFault): Promise<void> {
    const target = this.pollerToDisturb(f);
    if (!target) return;
    const { slot, inc, e } = target;
    slot.state = 'paused';
    const from = Date.now();
    slot.proc!.pause();
    await sleep(f.holdMs);
    const to = Date.now();
    slot.proc!.resume();
    inc.pauses.push({ from, to });
    e.until = to;
    if (slot.state === 'paused') slot.state = slot.proc!.running ? 'up' : 'gone';
    this.c.log(`fault #${f.n} ${f.kind}: SIGCONT ${incKey(slot.id, slot.inc)}`);
  }

  private async killLeadingCoordinator(f: PlannedFault): Promise<void> {
    const { cluster } = this.c;
    const r = await runCli(['status', '--zk', this.c.zk, '--group', this.c.group, '--json']);
    const leader = r.code === 0 ? ((JSON.parse(r.stdout) as { leader: string | null }).leader) : null;
    const proc = leader ? cluster.coordinators.get(leader) : undefined;
    if (!leader || !proc || !proc.running || this.coordinatorDown.has(leader)) {
      return this.skip(f, `no live leading coordinator (status leader: ${leader ?? 'none'})`);
    }
    this.coordinatorDown.add(leader);
    const e = this.record(f, leader);
    await proc.kill();
    await sleep(f.holdMs);
    cluster.startCoordinator(leader);
    this.coordinatorDown.delete(leader);
    e.until = Date.now();
    this.c.log(`fault #${f.n} ${f.kind}: restarted ${leader}`);
  }

  private async faultZooKeeper(f: PlannedFault): Promise<void> {
    if (this.zkDown) return this.skip(f, 'a ZooKeeper node is already down or frozen');
    this.zkDown = true;
    try {
      const zk = this.c.infra.zookeeper;
      const leader = await zk.leader();
      const followers = zk.nodes.filter((n) => n !== leader && n.running);
      const target = f.pick < 0.5 ? leader : (followers[Math.floor(((f.pick - 0.5) / 0.5) * followers.length)] ?? leader);
      const e = this.record(f, `zookeeper-${target.id}`, target === leader ? 'leader' : 'follower');
      if (f.kind === 'zk-kill') {
        await target.kill();
        await sleep(f.holdMs);
        await target.restart();
      } else {
        target.pause();
        try {
          await sleep(f.holdMs);
        } finally {
          target.resume();
        }
      }
      e.until = Date.now();
      this.c.log(`fault #${f.n} ${f.kind}: zookeeper-${target.id} back (${await target.mode().catch(() => '?')})`);
    } finally {
      this.zkDown = false;
    }
  }

  private async scaleOut(f: PlannedFault): Promise<void> {
    const { cluster } = this.c;
    const live = [...cluster.pollers.values()].filter((s) => s.state !== 'gone' && s.state !== 'draining');
    if (live.length >= this.c.maxPollers) return this.skip(f, `already ${live.length} pollers`);
    const slot = cluster.startPoller();
    this.record(f, incKey(slot.id, slot.inc));
  }

  private async scaleIn(f: PlannedFault): Promise<void> {
    const { cluster } = this.c;
    // Only registered members can be drained: a restarted poller may still wait for its old
    // session to expire, and the member node listed may still be the killed process's (its pid tells).
    const st = await runCli(['status', '--zk', this.c.zk, '--group', this.c.group, '--json']);
    const active = new Set(st.code === 0 ? (JSON.parse(st.stdout) as { pollers: { id: string; pid: number; state: string }[] }).pollers.filter((p) => p.state === 'active').map((p) => `${p.id}/${p.pid}`) : []);
    const up = cluster.up().filter((s) => s.current !== null && active.has(`${s.id}/${s.current.pid}`));
    if (up.length <= this.c.minPollers) return this.skip(f, `only ${up.length} poller(s) up`);
    const slot = this.pick(f, up)!;
    const inc = slot.current!;
    const e = this.record(f, incKey(slot.id, slot.inc));
    slot.state = 'draining';
    inc.endedBy = 'drain';
    inc.stopAt = Date.now();
    const r = await runCli(['drain', slot.id, '--zk', this.c.zk, '--group', this.c.group, '--timeout', '60000'], 70_000);
    if (r.code !== 0) this.c.log(`fault #${f.n} ${f.kind}: drain ${slot.id} exited ${r.code}: ${r.stderr.trim().slice(-300)}`);
    const exit = await atMost(slot.proc!.exited, 30_000);
    if (!exit) {
      this.c.log(`fault #${f.n} ${f.kind}: ${slot.id} did not exit after draining; stopping it`);
      await slot.proc!.stop(10_000);
    }
    slot.state = 'gone';
    e.until = Date.now();
    this.c.log(`fault #${f.n} ${f.kind}: ${slot.id} drained and left (${exit ? `code ${exit.code}` : 'stopped'})`);
  }

  /**
   * `ringleader resize` to twice the group's ranges while everything runs:
   * producers pause, pollers hold and grow to the new count. Done once
   * the new config is written (the command's exit); `until` is when every new
   * range has started past its split point, which status tells.
   */
  private async resize(f: PlannedFault): Promise<void> {
    const before = await this.status();
    if (!before) return this.skip(f, 'status failed');
    const to = before.ranges * 2;
    const e = this.record(f, 'group', `${before.ranges} -> ${to} ranges`);
    const r = await runCli(['resize', '--zk', this.c.zk, '--group', this.c.group, '--brokers', this.c.infra.brokers.join(','), '--ranges', String(to), '--timeout', '30000', '--json'], 90_000);
    if (r.code !== 0) {
      // Rolled back (or refused: the last split still drains): nothing changed, and the retry pass tries again.
      this.events.splice(this.events.indexOf(e), 1);
      return this.skip(f, r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`);
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { pausedMs: number; producers: string[]; pollers: string[] };
    this.c.log(`fault #${f.n} resize: ${before.ranges} -> ${to} cut over; ${out.producers.length} producer(s) and ${out.pollers.length} poller(s) paused for ${out.pausedMs} ms`);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const st = await this.status();
      if (st && st.ranges === to && st.converged && st.waiting === 0) break;
      if (Date.now() > deadline) {
        this.c.log(`fault #${f.n} resize: the new ranges had not all started 120 s after the cut-over`);
        break;
      }
      await sleep(500);
    }
    e.until = Date.now();
    this.c.log(`fault #${f.n} resize: every new range started, ${Math.round((e.until - e.at) / 100) / 10} s after the resize began`);
  }

  /** What the resize needs of `status --json`: the range count, convergence, and the new ranges still waiting at their barrier. */
  private async status(): Promise<{ ranges: number; converged: boolean; waiting: number } | null> {
    const st = await runCli(['status', '--zk', this.c.zk, '--group', this.c.group, '--json']);
    if (st.code !== 0) return null;
    const s = JSON.parse(st.stdout) as { ranges: number; converged: boolean; split: { parents: { remaining: number }[] } | null };
    return { ranges: s.ranges, converged: s.converged, waiting: s.split ? s.split.parents.filter((p) => p.remaining > 0).length : 0 };
  }

  /** One poller's ZooKeeper or Kafka traffic silenced for the hold (network-partition.ts). */
  private async partitionPoller(f: PlannedFault): Promise<void> {
    const net = this.c.cluster.o.network;
    if (!net) return this.skip(f, 'the pollers run without network namespaces');
    const target = this.pollerToDisturb(f);
    if (!target) return;
    const side = f.kind === 'zk-partition' ? 'zk' : 'kafka';
    await holdPartition(net, incKey(target.slot.id, target.inc.inc), side, f.holdMs);
    target.e.until = Date.now();
    this.c.log(`fault #${f.n} ${f.kind}: ${target.e.target} reaches ${side === 'zk' ? 'ZooKeeper' : 'Kafka'} again`);
  }

  private async slowHandler(f: PlannedFault): Promise<void> {
    const { cluster } = this.c;
    const up = cluster.up();
    const slot = this.pick(f, up);
    if (!slot) return this.skip(f, 'no poller up');
    const e = this.record(f, incKey(slot.id, slot.inc), `+${f.delayMs} ms per message`);
    const file = cluster.slowFile(slot.id);
    writeFileSync(file, String(f.delayMs));
    await sleep(f.holdMs);
    rmSync(file, { force: true });
    e.until = Date.now();
  }
}
