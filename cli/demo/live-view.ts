import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { GroupSnapshot } from '../../coordinator/index.js';
import { endOffsetsWith } from '../../poller/index.js';
import type { ViewState } from '../views/watch-view.js';
import type { RecordTally } from './records.js';
import type { DemoServers } from './servers.js';
import type { DemoProgress } from './progress.js';
import type { DemoRates } from './rates.js';
import type { Step } from './script.js';
import { renderDemo, Screen } from './screen.js';

/** What the live screen shows and where it reads the end offsets. */
export interface LiveViewSource {
  group: string;
  topic: string;
  servers: DemoServers;
  script: Step[];
  stepMs: number;
  progress: DemoProgress;
  rates: DemoRates;
  tally: RecordTally;
  pollers: () => { id: string; running: boolean }[];
  admin: Admin;
  log: Logger;
  /** q or Ctrl-C on the keyboard. */
  onQuit: () => void;
}

/**
 * The demo on a terminal: the screen redrawn in place, and the topic's end
 * offsets read every second for the lag column and a fresher produced count.
 */
export class LiveView {
  private readonly lag = new Map<number, string>();
  private readonly view: ViewState;
  private readonly screen: Screen;
  private endOffsetsTimer: NodeJS.Timeout | null = null;

  constructor(private readonly source: LiveViewSource) {
    this.view = { snapshot: null, events: source.progress.events, rate: null, connection: 'connected', width: process.stdout.columns ?? 120 };
    this.screen = new Screen(
      () => this.render(),
      () => {
        source.log.warn('stop requested from the keyboard');
        source.onQuit();
      },
    );
  }

  start(): void {
    this.screen.start();
    this.endOffsetsTimer = setInterval(() => this.readEndOffsets(), 1_000);
  }

  /** Ends the end-offset reads; the screen stays until stop(). */
  stopEndOffsets(): void {
    if (this.endOffsetsTimer) clearInterval(this.endOffsetsTimer);
    this.endOffsetsTimer = null;
  }

  /** Draws the last screen and gives the terminal back. */
  stop(): void {
    this.stopEndOffsets();
    this.screen.stop();
  }

  private render(): string {
    const { progress, rates, tally, servers } = this.source;
    const { kill, drain } = progress;
    this.view.snapshot = progress.latest ? withLag(progress.latest, this.lag) : null;
    this.view.width = process.stdout.columns ?? 120;
    this.view.rate = rates.committed.perSecond;
    return renderDemo({
      group: this.source.group,
      topic: this.source.topic,
      servers: `${servers.zk} ${servers.brokers.join(',')}${servers.source === 'started' ? ' (own)' : ''}`,
      elapsedMs: Math.max(0, Date.now() - progress.t0),
      stepMs: this.source.stepMs,
      steps: this.source.script,
      current: progress.current,
      waiting: progress.waiting,
      // Every handled message was produced: a fresher lower bound than the producer's report.
      produced: Math.max(progress.produced, tally.distinct),
      producedRate: rates.produced.perSecond,
      handled: tally.distinct,
      handledRate: rates.handled.perSecond,
      duplicates: tally.duplicates,
      perPoller: this.source.pollers().map((p) => ({ poller: p.id, rate: rates.ofPoller(p.id), running: p.running })),
      recovery: kill ? (kill.done ? `${((kill.totalMs ?? 0) / 1000).toFixed(2)} s for ${kill.ranges.length} ranges` : 'waiting for the session to expire...') : '-',
      handoff: drain ? (drain.done ? `longest pause ${drain.maxPauseMs} ms over ${drain.ranges.length} ranges` : 'moving...') : '-',
      resize: resizeText(progress.resize),
      view: this.view,
    });
  }

  private readEndOffsets(): void {
    const { admin, topic, progress, log } = this.source;
    void endOffsetsWith(admin, topic).then(
      (ends) => {
        for (const [p, end] of ends) this.lag.set(p, end);
        // The producer reports once a second; the end offsets are fresher.
        if (progress.producedFinal === null) progress.produced = Math.max(progress.produced, [...ends.values()].reduce((a, e) => a + Number(e), 0));
      },
      (err: unknown) => log.debug({ err }, 'end offsets not read'),
    );
  }
}

/** The snapshot with `end` and `lag` per range from the sampled end offsets. */
function withLag(s: GroupSnapshot, ends: Map<number, string>): GroupSnapshot {
  if (!ends.size) return s;
  return {
    ...s,
    assignment: s.assignment.map((r) => {
      const end = ends.get(r.range);
      if (end === undefined) return r;
      const lagOf = Math.max(0, Number(end) - Number(r.committed ?? 0));
      return { ...r, end, lag: lagOf };
    }),
  };
}

/** The resize step as the live screen says it: cutting over, parents draining, done. */
function resizeText(r: DemoProgress['resize']): string {
  if (!r) return '-';
  if (r.pausedMs === null) return `${r.from} -> ${r.to}: cutting over...`;
  if (r.doneMs === null) return `${r.from} -> ${r.to}: cut over in ${r.pausedMs} ms; parents draining, new ranges starting (see split below)...`;
  return `${r.from} -> ${r.to} in ${(r.doneMs / 1000).toFixed(2)} s (cut-over ${r.pausedMs} ms)`;
}
