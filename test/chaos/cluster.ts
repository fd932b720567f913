// The processes of a chaos run: pollers (with incarnations) and standalone
// coordinators, started through the `ringleader` CLI.
import { join } from 'node:path';
import { RECORD_ENV } from '../../poller/handlers/handled-record.js';
import type { NodeProcess } from '../support/node-process.js';
import type { KafkaClientName } from '../../poller/kafka-clients.js';
import { RECORDING_HANDLER_JS } from '../support/paths.js';
import type { NetworkPartitions } from './network-partition.js';
import { startRunProcess } from './processes.js';
import { incKey, type Incarnation } from './records.js';
import { KAFKA_REQUEST_TIMEOUT_MS } from './broker-faults-plan.js';

export interface ClusterOptions {
  zk: string;
  brokers: string[];
  group: string;
  topic: string;
  sessionTimeoutMs: number;
  /** The pollers' --fetch-stall-timeout. */
  fetchStallTimeoutMs: number;
  dir: string;
  /** When given, each poller runs in a network namespace behind it (zk-partition, kafka-partition). */
  network?: NetworkPartitions;
  kafkaClient: KafkaClientName;
}

export interface PollerSlot {
  id: string;
  inc: number;
  proc: NodeProcess | null;
  state: 'up' | 'killed' | 'paused' | 'draining' | 'gone';
  current: Incarnation | null;
}

export class Cluster {
  readonly pollers = new Map<string, PollerSlot>();
  readonly coordinators = new Map<string, NodeProcess | null>();
  readonly incarnations: Incarnation[] = [];
  private nextPoller = 1;

  constructor(readonly o: ClusterOptions) {}

  slowFile(id: string): string {
    return join(this.o.dir, `slow-${id}`);
  }

  /** A new poller id (scale out), or a restart of `id` as its next incarnation. */
  startPoller(id?: string): PollerSlot {
    const pid = id ?? `p${this.nextPoller++}`;
    let slot = this.pollers.get(pid);
    if (!slot) {
      slot = { id: pid, inc: -1, proc: null, state: 'gone', current: null };
      this.pollers.set(pid, slot);
    }
    slot.inc++;
    const name = incKey(pid, slot.inc);
    const proc = startRunProcess(name, [
      'poller',
      '--zk', this.o.zk,
      '--brokers', this.o.brokers.join(','),
      '--group', this.o.group,
      '--topic', this.o.topic,
      '--id', pid,
      '--handler', RECORDING_HANDLER_JS,
      '--concurrency', '4',
      '--session-timeout', String(this.o.sessionTimeoutMs),
      '--fetch-stall-timeout', String(this.o.fetchStallTimeoutMs),
      '--drain-timeout', '10000',
      '--kafka-request-timeout', String(KAFKA_REQUEST_TIMEOUT_MS),
      '--no-coordinator',
      '--log-level', 'info',
      '--kafka-client', this.o.kafkaClient,
    ], {
      logFile: join(this.o.dir, `poller-${pid}-${slot.inc}.log`),
      env: {
        [RECORD_ENV.file]: join(this.o.dir, `handled-${pid}-${slot.inc}.ndjson`),
        [RECORD_ENV.poller]: pid,
        [RECORD_ENV.incarnation]: String(slot.inc),
        // A little simulated I/O per message, plus the slow-handler fault's latency.
        [RECORD_ENV.delayMs]: '1',
        [RECORD_ENV.slowFile]: this.slowFile(pid),
      },
      ...(this.o.network ? { launch: this.o.network.launch(name) } : {}),
    });
    const inc: Incarnation = { poller: pid, inc: slot.inc, pid: proc.pid, startedAt: proc.startedAt, pauses: [] };
    this.incarnations.push(inc);
    slot.proc = proc;
    slot.state = 'up';
    slot.current = inc;
    const s = slot;
    void proc.exited.then((e) => {
      inc.endedAt = e.at;
      inc.endedBy ??= 'exit';
      this.o.network?.forget(name);
      if (s.proc === proc && s.state !== 'killed') s.state = 'gone';
    });
    return slot;
  }

  startCoordinator(id: string): NodeProcess {
    const proc = startRunProcess(id, [
      'coordinator',
      '--zk', this.o.zk,
      '--group', this.o.group,
      '--id', id,
      '--session-timeout', String(this.o.sessionTimeoutMs),
      '--log-level', 'info',
    ], { logFile: join(this.o.dir, `${id}.log`) });
    this.coordinators.set(id, proc);
    return proc;
  }

  up(): PollerSlot[] {
    return [...this.pollers.values()].filter((s) => s.state === 'up');
  }

  /** Stops everything that still runs: pollers gracefully (SIGTERM), then coordinators. */
  async stopAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.pollers.values()].map(async (s) => {
      if (s.proc?.running) {
        if (s.current) {
          s.current.endedBy = 'stop';
          s.current.stopAt ??= Date.now();
        }
        await s.proc.stop(timeoutMs);
      }
    }));
    await Promise.all([...this.coordinators.values()].map((c) => c?.stop(timeoutMs)));
  }
}
