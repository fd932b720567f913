import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KafkaClientName } from '../../poller/index.js';
import { PollerProcess } from './poller-process.js';
import type { RecordTally } from './records.js';
import type { DemoServers } from './servers.js';

export interface DemoPollersOptions {
  group: string;
  topic: string;
  sessionTimeoutMs: number;
  /** Each poller's records file and log go here. */
  runDir: string;
  kafkaClient: KafkaClientName;
}

/** The demo's poller processes: each one's records followed by the tally, and told apart whether the script stopped it or it died. */
export class DemoPollers {
  private readonly all = new Map<string, PollerProcess>();
  /** Pollers the script stops on purpose: their exit is no error. */
  private readonly leaving = new Set<string>();

  constructor(
    private readonly o: DemoPollersOptions,
    private readonly tally: RecordTally,
    private readonly log: Logger,
  ) {}

  start(id: string, servers: DemoServers): PollerProcess {
    const recordsFile = join(this.o.runDir, `${id}.records`);
    const p = new PollerProcess({
      id,
      zk: servers.zk,
      brokers: servers.brokers,
      group: this.o.group,
      topic: this.o.topic,
      sessionTimeoutMs: this.o.sessionTimeoutMs,
      drainTimeoutMs: 10_000,
      recordsFile,
      logFile: join(this.o.runDir, `${id}.log`),
      kafkaClient: this.o.kafkaClient,
    });
    this.all.set(id, p);
    this.tally.follow(id, recordsFile);
    this.log.info({ poller: id, pid: p.pid }, 'poller started');
    void p.exited.then((exit) => this.log.info({ poller: id, ...exit }, 'poller exited'));
    return p;
  }

  /** The poller `id`, which the script is about to stop: its exit is no error. */
  letGo(id: string): PollerProcess {
    const p = this.all.get(id);
    if (!p) throw new Error(`the demo started no poller ${id}`);
    this.leaving.add(id);
    return p;
  }

  /** Throws when a poller exited that the script did not stop. */
  checkNoneDied(): void {
    for (const p of this.all.values()) {
      if (!p.running && !this.leaving.has(p.id)) throw new Error(`${p.id} exited unexpectedly; see ${p.options.logFile}`);
    }
  }

  list(): PollerProcess[] {
    return [...this.all.values()];
  }

  /** Stops the pollers still running, gracefully and at once, each bounded by `timeoutMs`; `announce` hears their ids first. */
  async stopRunning(timeoutMs: number, announce: (ids: string[]) => void): Promise<void> {
    const running = this.list().filter((p) => p.running);
    if (running.length) announce(running.map((p) => p.id));
    for (const p of running) this.leaving.add(p.id);
    await Promise.all(running.map((p) => p.stop(timeoutMs)));
  }
}
