// Prometheus metrics of one poller, on a registry of its own (never the
// global one, so several pollers in one process or test do not collide), and
// the small HTTP server that exposes them with a health check.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RangePipelineEvents } from './range-pipeline.js';
import { UNHEALTHY_REASONS, type UnhealthyReason } from '../coordinator/index.js';

/** Values read at scrape time, so the hot path never touches a gauge. */
export interface MetricsSources {
  inFlight?: () => number;
  ownedRanges?: () => number;
  /** [range, lag] pairs for the ranges owned now; others disappear from the output. */
  lag?: () => Iterable<readonly [number, number]>;
  /** Why the poller is marked unhealthy now, or null. */
  unhealthy?: () => UnhealthyReason | null;
}

export interface MetricsOptions {
  sources?: MetricsSources;
  /** Process metrics (CPU, memory, event loop lag...). Default true. */
  defaultMetrics?: boolean;
}

export interface RingleaderMetrics {
  registry: Registry;
  messagesHandled: Counter;
  messagesRetried: Counter;
  messagesDeadLettered: Counter;
  inFlight: Gauge;
  lag: Gauge<'range'>;
  ownedRanges: Gauge;
  handoffSeconds: Histogram;
  commitFailures: Counter;
  commits: Counter;
  misplacedMessages: Counter;
  /** Times this poller marked itself unhealthy (and gave its ranges away), by reason. */
  unhealthyMarks: Counter<'reason'>;
  unhealthy: Gauge<'reason'>;
  /** Pass as `events` to every RangePipeline. */
  pipelineEvents: RangePipelineEvents;
}

export function createMetrics(opts: MetricsOptions = {}): RingleaderMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const handled = handledCounter(registry);
  const gauges = scrapedGauges(registry, opts.sources ?? {});
  const messagesRetried = new Counter({
    name: 'ringleader_messages_retried_total',
    help: 'Handler failures that were retried.',
    registers: [registry],
  });
  const messagesDeadLettered = new Counter({
    name: 'ringleader_messages_dead_lettered_total',
    help: 'Messages written to the dead-letter topic.',
    registers: [registry],
  });
  const handoffSeconds = new Histogram({
    name: 'ringleader_handoff_seconds',
    help: 'Time from a range being assigned away to its release (drain + commit + lease delete).',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const commitFailures = new Counter({
    name: 'ringleader_commit_failures_total',
    help: 'Offset commits to ZooKeeper that failed (including lost leases).',
    registers: [registry],
  });
  const commits = new Counter({
    name: 'ringleader_commits_total',
    help: 'Offset commits written to ZooKeeper.',
    registers: [registry],
  });
  const unhealthyMarks = new Counter<'reason'>({
    name: 'ringleader_unhealthy_marks_total',
    help: 'Times this poller marked itself unhealthy (could not fetch, or its handler refused) and gave its ranges away.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const misplacedMessages = new Counter({
    name: 'ringleader_misplaced_messages_total',
    help: 'Messages past a split point whose key belongs to another range (a producer that does not follow the group); handled anyway.',
    registers: [registry],
  });
  const pipelineEvents: RangePipelineEvents = {
    handled: handled.count,
    retried: () => messagesRetried.inc(),
    deadLettered: () => messagesDeadLettered.inc(),
  };
  return {
    registry,
    messagesHandled: handled.counter,
    messagesRetried,
    messagesDeadLettered,
    ...gauges,
    handoffSeconds,
    commitFailures,
    commits,
    misplacedMessages,
    unhealthyMarks,
    pipelineEvents,
  };
}

/**
 * Handled messages are counted in a plain number on the hot path and folded
 * into the counter when scraped.
 */
function handledCounter(registry: Registry): { counter: Counter; count: () => void } {
  let pending = 0;
  const counter = new Counter({
    name: 'ringleader_messages_handled_total',
    help: 'Messages whose handler resolved (acknowledged).',
    registers: [registry],
    collect() {
      if (pending > 0) {
        this.inc(pending);
        pending = 0;
      }
    },
  });
  return {
    counter,
    count: () => {
      pending++;
    },
  };
}

/** The gauges whose values are read from `sources` at scrape time. */
function scrapedGauges(registry: Registry, sources: MetricsSources): Pick<RingleaderMetrics, 'inFlight' | 'lag' | 'ownedRanges' | 'unhealthy'> {
  const inFlight = new Gauge({
    name: 'ringleader_in_flight',
    help: 'Messages started and not yet acknowledged, including those backing off.',
    registers: [registry],
    collect() {
      if (sources.inFlight) this.set(sources.inFlight());
    },
  });
  const lag = new Gauge<'range'>({
    name: 'ringleader_lag',
    help: 'Messages between the committable offset and the end of the partition, per owned range.',
    labelNames: ['range'],
    registers: [registry],
    collect() {
      if (!sources.lag) return;
      this.reset();
      for (const [range, value] of sources.lag()) this.set({ range: String(range) }, value);
    },
  });
  const ownedRanges = new Gauge({
    name: 'ringleader_owned_ranges',
    help: 'Ranges whose lease this poller holds.',
    registers: [registry],
    collect() {
      if (sources.ownedRanges) this.set(sources.ownedRanges());
    },
  });
  const unhealthy = new Gauge<'reason'>({
    name: 'ringleader_unhealthy',
    help: '1 while this poller is marked unhealthy for this reason (its ranges go to healthy pollers), else 0.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      if (!sources.unhealthy) return;
      const now = sources.unhealthy();
      for (const reason of UNHEALTHY_REASONS) this.set({ reason }, reason === now ? 1 : 0);
    },
  });
  return { inFlight, lag, ownedRanges, unhealthy };
}

export interface HealthReport {
  ok: boolean;
  [detail: string]: unknown;
}

export interface MetricsServerOptions {
  /** 0 = any free port. */
  port: number;
  /** Interface to bind. Default 0.0.0.0 (all IPv4 interfaces). */
  host?: string;
  /** Host name put in `url` when bound to a wildcard address. Default 127.0.0.1. */
  advertiseHost?: string;
  registry: Registry;
  health: () => HealthReport;
  logger?: Logger;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9100 (no trailing slash). */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'metrics-server' });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        (err: unknown) => {
          log.error({ err }, 'collecting metrics failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('collecting metrics failed\n');
        },
      );
      return;
    }
    if (path === '/healthz') {
      let report: HealthReport;
      try {
        report = opts.health();
      } catch (err) {
        report = { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
      res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(report)}\n`);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics or /healthz\n');
  });

  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const shownHost = wildcard ? (opts.advertiseHost ?? '127.0.0.1') : host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  log.info({ url }, 'metrics server listening');

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
