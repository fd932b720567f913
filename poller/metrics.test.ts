import { describe, expect, it } from 'vitest';
import { createMetrics, startMetricsServer } from './metrics.js';
import type { RingMessage } from './message.js';

const msg = {} as RingMessage;

describe('createMetrics', () => {
  it('counts pipeline events and samples sources at scrape time', async () => {
    let owned = 2;
    const m = createMetrics({
      defaultMetrics: false,
      sources: {
        inFlight: () => 7,
        ownedRanges: () => owned,
        lag: () => [
          [0, 5],
          [3, 12],
        ],
      },
    });
    m.pipelineEvents.handled?.(msg);
    m.pipelineEvents.handled?.(msg);
    m.pipelineEvents.retried?.(msg, new Error('x'));
    m.pipelineEvents.deadLettered?.(msg, new Error('x'));
    m.commits.inc(3);
    m.commitFailures.inc();
    m.handoffSeconds.observe(0.2);
    let text = await m.registry.metrics();
    expect(text).toMatch(/^ringleader_messages_handled_total 2$/m);
    expect(text).toMatch(/^ringleader_messages_retried_total 1$/m);
    expect(text).toMatch(/^ringleader_messages_dead_lettered_total 1$/m);
    expect(text).toMatch(/^ringleader_in_flight 7$/m);
    expect(text).toMatch(/^ringleader_owned_ranges 2$/m);
    expect(text).toMatch(/^ringleader_lag\{range="3"\} 12$/m);
    expect(text).toMatch(/^ringleader_commits_total 3$/m);
    expect(text).toMatch(/^ringleader_commit_failures_total 1$/m);
    expect(text).toMatch(/^ringleader_handoff_seconds_count 1$/m);
    m.pipelineEvents.handled?.(msg);
    owned = 1;
    text = await m.registry.metrics();
    expect(text).toMatch(/^ringleader_messages_handled_total 3$/m);
    expect(text).toMatch(/^ringleader_owned_ranges 1$/m);
  });

  it('keeps registries apart and includes process metrics by default', async () => {
    const a = createMetrics();
    const b = createMetrics({ defaultMetrics: false });
    a.commits.inc();
    expect(await a.registry.metrics()).toMatch(/process_cpu_user_seconds_total/);
    expect(await b.registry.metrics()).toMatch(/^ringleader_commits_total 0$/m);
  });
});

describe('startMetricsServer', () => {
  it('serves /metrics and /healthz over HTTP on an ephemeral port', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.commits.inc(4);
    let healthy = true;
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: m.registry,
      health: () => ({ ok: healthy, ranges: 3 }),
    });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const metrics = await fetch(`${server.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);
      expect(await metrics.text()).toMatch(/^ringleader_commits_total 4$/m);

      const ok = await fetch(`${server.url}/healthz`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true, ranges: 3 });
      healthy = false;
      const bad = await fetch(`${server.url}/healthz`);
      expect(bad.status).toBe(503);
      expect(await bad.json()).toEqual({ ok: false, ranges: 3 });

      expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    } finally {
      await server.close();
    }
    await expect(fetch(`${server.url}/metrics`)).rejects.toThrow();
  });

  it('reports 503 when the health check throws', async () => {
    const server = await startMetricsServer({
      port: 0,
      host: '127.0.0.1',
      registry: createMetrics({ defaultMetrics: false }).registry,
      health: () => {
        throw new Error('zk gone');
      },
    });
    try {
      const res = await fetch(`${server.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ok: false, error: 'zk gone' });
    } finally {
      await server.close();
    }
  });
});
