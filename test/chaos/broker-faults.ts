// Carries out the Kafka broker faults of a chaos run: kill -9 of a node
// (restarted after the hold) and SIGSTOP of a node past the clients' request
// timeout (then SIGCONT). Topics have 3 replicas and min.insync.replicas=2,
// so producers with acks=all keep going with one node out, not two: broker
// faults run one at a time, each only once every partition is fully in sync
// again, and each holds the lane until its node is back in sync.
import type { KafkaBroker, KafkaCluster } from '../../infra/index.js';
import type { BrokerFaultKind } from './broker-faults-plan.js';
import type { FaultEvent } from './records.js';
import type { PlannedFault } from './schedule.js';
import { sleep } from '../support/wait-for.js';

export interface BrokerFaultContext {
  kafka: KafkaCluster;
  log: (line: string) => void;
  record: (f: PlannedFault, target: string, detail?: string) => FaultEvent;
  skip: (f: PlannedFault, why: string) => void;
  /** Give up on a node coming back in sync after this long (the fault is then reported failed). */
  syncTimeoutMs?: number;
}

export class BrokerFaults {
  private lane: Promise<void> = Promise.resolve();
  private queued = 0;

  constructor(private readonly c: BrokerFaultContext) {}

  /** Faults waiting for their turn or under way. */
  get busy(): number {
    return this.queued;
  }

  /** Queues a broker fault behind the ones before it; resolves when it is over (node back in sync). */
  run(f: PlannedFault & { kind: BrokerFaultKind }): Promise<void> {
    this.queued++;
    const turn = this.lane.then(() => this.one(f));
    this.lane = turn.catch(() => undefined);
    return turn.finally(() => this.queued--);
  }

  private async one(f: PlannedFault & { kind: BrokerFaultKind }): Promise<void> {
    const { kafka } = this.c;
    const waited = await this.inSync(`before fault #${f.n}`);
    if (waited === null) return this.c.skip(f, 'the Kafka cluster did not get fully in sync');
    const target = this.pick(f);
    if (!target) return this.c.skip(f, 'no running Kafka node');
    const { node, controller } = target;
    const e = this.c.record(f, node.name, controller ? 'active controller' : 'broker');
    if (f.kind === 'broker-kill') {
      await node.kill();
      await sleep(f.holdMs);
      await node.restart();
    } else {
      node.pause();
      try {
        await sleep(f.holdMs);
      } finally {
        node.resume();
      }
    }
    const back = Date.now();
    const synced = await this.inSync(`after fault #${f.n}`);
    e.until = Date.now();
    this.c.log(`fault #${f.n} ${f.kind}: ${node.name} back${synced === null ? ' but NOT in sync' : `, in sync after ${e.until - back} ms`}; active controller now ${kafka.activeController()?.name ?? 'unknown'}`);
    if (synced === null) throw new Error(`${node.name} did not get back in sync within ${this.c.syncTimeoutMs ?? 120_000} ms`);
  }

  /**
   * The active controller for a third of the draws (pick < 1/3), else one of
   * the other running nodes: a kill then moves the quorum's leadership too.
   */
  private pick(f: PlannedFault): { node: KafkaBroker; controller: boolean } | undefined {
    const running = this.c.kafka.nodes.filter((n) => n.running);
    const controller = this.c.kafka.activeController();
    if (controller && f.pick < 1 / 3) return { node: controller, controller: true };
    const others = running.filter((n) => n !== controller);
    const node = others[Math.floor(((f.pick - 1 / 3) / (2 / 3)) * others.length)] ?? others[0] ?? running[0];
    return node ? { node, controller: node === controller } : undefined;
  }

  /** Waits until every node runs and no partition is under-replicated; ms waited, or null on timeout. */
  private async inSync(when: string): Promise<number | null> {
    const t0 = Date.now();
    const deadline = t0 + (this.c.syncTimeoutMs ?? 120_000);
    let lastErr = '';
    while (Date.now() < deadline) {
      try {
        if (this.c.kafka.nodes.every((n) => n.running) && (await this.c.kafka.underReplicated()) === 0) return Date.now() - t0;
      } catch (err) {
        lastErr = err instanceof Error ? err.message : String(err);
      }
      await sleep(250);
    }
    this.c.log(`Kafka cluster not in sync ${when}${lastErr ? ` (${lastErr})` : ''}`);
    return null;
  }
}
