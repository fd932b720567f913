import type { Logger } from 'pino';
import { ZkSession, GroupPaths, GroupWatcher, readGroupConfig, type GroupSnapshot, type GroupEvent } from '../../coordinator/index.js';
import { endOffsetsFrom } from './status.js';
import { zkSecurity, type ZkAuthFlags, type KafkaAuthFlags } from '../secrets.js';
import { renderView, describeEvent, committedTotal, type ViewState } from '../views/watch-view.js';
import { EventLines } from '../views/event-lines.js';
import { onStopSignals } from '../signals.js';
import { printJson } from '../output.js';

export interface WatchActionOptions extends ZkAuthFlags, KafkaAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  brokers?: string[];
  json: boolean;
  refresh: number;
  /** Stop after this long (tests, scripts); 0 = until a signal. */
  duration: number;
  /** How many of the largest lags the summary lists. */
  top: number;
  /** The summary even for a small group. */
  summary?: boolean;
}

/**
 * `ringleader watch`: NDJSON events with --json; otherwise a live view on a
 * terminal, or event lines when stdout is not one. It survives ZooKeeper
 * restarts (the session reconnects or is re-created by itself).
 */
export async function runWatch(o: WatchActionOptions, log: Logger): Promise<void> {
  const zk = new ZkSession({ connect: o.zk, connectTimeoutMs: o.connectTimeout, logger: log, ...zkSecurity(o) });
  await zk.start();
  const paths = new GroupPaths(o.group, o.zkRoot);
  try {
    const config = await readGroupConfig(zk, paths);
    let authError: Error | undefined;
    const endOffsets = endOffsetsFrom(o.brokers, log, o, (e) => (authError = e));
    // Wrong Kafka credentials end watch at once instead of failing every refresh.
    if (endOffsets) await endOffsets(config.topic, config.ranges).catch(() => undefined);
    if (authError) throw authError;
    const watcher = new GroupWatcher({ zk, paths, refreshMs: o.refresh, logger: log, ...(endOffsets ? { endOffsets } : {}) });
    const live = !o.json && process.stdout.isTTY === true;
    const recent = new EventLines();
    const view: ViewState = {
      snapshot: null,
      events: [],
      log: recent,
      rate: null,
      connection: 'connected',
      width: process.stdout.columns ?? 100,
      layout: o.summary ? 'summary' : 'auto',
      top: o.top,
    };
    let last: { at: number; committed: number } | null = null;
    let dirty = false;
    const draw = () => {
      if (!dirty) return;
      dirty = false;
      process.stdout.write(`\x1b[H\x1b[2J${renderView(view)}\n`);
    };
    const drawTimer = live ? setInterval(draw, 250) : null;
    if (live) process.stdout.write('\x1b[?25l');

    watcher.on('snapshot', (s: GroupSnapshot) => {
      const committed = committedTotal(s);
      const now = Date.now();
      if (last && now - last.at >= 500) {
        const rate = ((committed - last.committed) * 1000) / (now - last.at);
        view.rate = view.rate === null ? rate : view.rate * 0.5 + rate * 0.5;
        last = { at: now, committed };
      } else if (!last) {
        last = { at: now, committed };
      }
      view.snapshot = s;
      view.connection = zk.connected ? 'connected' : view.connection;
      dirty = true;
    });
    watcher.on('connection', (c: 'disconnected' | 'expired') => {
      view.connection = c;
      dirty = true;
      if (!live && !o.json) process.stdout.write(`ZooKeeper ${c}; reconnecting...\n`);
    });
    watcher.on('event', (e: GroupEvent) => {
      if (o.json) printJson(e);
      else if (!live) process.stdout.write(`${describeEvent(e)}\n`);
      recent.add(e);
      dirty = true;
    });
    await watcher.start();
    await new Promise<void>((resolve) => {
      const remove = onStopSignals(() => {
        remove();
        resolve();
      }, log);
      if (o.duration > 0) setTimeout(() => {
        remove();
        resolve();
      }, o.duration);
    });
    watcher.close();
    if (drawTimer) {
      clearInterval(drawTimer);
      draw();
      process.stdout.write('\x1b[?25h');
    }
  } finally {
    await zk.close();
  }
}
