// End to end through the CLI: how `ringleader poller` fails (bad flags,
// unreachable ZooKeeper or Kafka, a missing topic or group), and its
// /metrics + /healthz endpoint while it works.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { brokers, randomName, zkConnect } from './support/env.js';
import { runCli, ProcSet, type RunResult } from './support/node-process.js';
import { waitFor } from './support/wait-for.js';

const procs = new ProcSet();
let zk: string;
let brokerList: string;
// Nothing of the test's own environment may stand in for a flag.
const noEnv = { RINGLEADER_ZK: undefined, RINGLEADER_BROKERS: undefined, RINGLEADER_GROUP: undefined, RINGLEADER_TOPIC: undefined };

beforeAll(() => {
  zk = zkConnect();
  brokerList = brokers().join(',');
});

afterEach(async () => {
  await procs.stopAll();
});

/** Lines on stderr that are not pino JSON log lines. */
function errorLines(r: RunResult): string[] {
  return r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
}

function expectOneLineError(r: RunResult, code: number, ...mentions: (string | RegExp)[]): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = errorLines(r);
  expect(lines, r.stderr).toHaveLength(1);
  for (const m of mentions) expect(lines[0]).toMatch(m);
}

async function createGroup(withTopic = true): Promise<{ group: string; topic: string }> {
  const group = randomName('pc');
  const topic = randomName('pc-t');
  const r = await runCli(['create', '--zk', zk, '--group', group, '--topic', topic, '--ranges', '4', ...(withTopic ? ['--brokers', brokerList] : [])], {
    env: noEnv, // else `create` reads RINGLEADER_BROKERS and makes the topic anyway
  });
  expect(r.code, r.stderr).toBe(0);
  return { group, topic };
}

describe('ringleader poller: errors and metrics, end to end', () => {
  it('bad flags: one line on stderr, exit 2, before touching any server', async () => {
    const base = ['poller', '--zk', zk, '--brokers', brokerList, '--group', 'g', '--topic', 't'];
    const cases: [string[], RegExp][] = [
      [[...base, '--concurrency', '0'], /--concurrency/],
      [[...base, '--max-attempts', 'lots'], /--max-attempts/],
      [[...base, '--session-timeout', '10'], /--session-timeout/],
      [[...base, '--metrics-port', '70000'], /--metrics-port/],
      [[...base, '--forward', 'ftp://x/y'], /--forward/],
      [[...base, '--handler', 'h.mjs', '--forward', 'http://127.0.0.1:1/'], /--handler|--forward/],
      [[...base, '--bogus'], /--bogus/],
      [['poller', '--zk', zk, '--brokers', brokerList, '--topic', 't'], /--group/],
      [['poller', '--zk', 'not a host', '--brokers', brokerList, '--group', 'g', '--topic', 't'], /--zk/],
      [['poller', '--zk', zk, '--brokers', 'nocolon', '--group', 'g', '--topic', 't'], /--brokers/],
      [['poller', '--zk', zk, '--brokers', brokerList, '--group', 'a/b', '--topic', 't'], /--group/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, { env: noEnv })));
    results.forEach((r, i) => expectOneLineError(r, 2, cases[i]![1]));
  });

  it('unreachable ZooKeeper: exit 1 with one line, within the connect timeout', async () => {
    const g = randomName('pc');
    const r = await runCli(['poller', '--zk', '127.0.0.1:1', '--connect-timeout', '1000', '--brokers', brokerList, '--group', g, '--topic', 't'], { env: noEnv });
    expectOneLineError(r, 1, /ZooKeeper/, /127\.0\.0\.1:1/);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('unreachable Kafka: exit 1 with one line naming the broker, and no member left behind', async () => {
    const { group, topic } = await createGroup();
    const r = await runCli(['poller', '--zk', zk, '--brokers', '127.0.0.1:1', '--group', group, '--topic', topic, '--id', 'p1'], { env: noEnv, timeoutMs: 90_000 });
    expectOneLineError(r, 1, /127\.0\.0\.1:1/);
    const s = await runCli(['status', '--zk', zk, '--group', group, '--json']);
    expect(JSON.parse(s.stdout).pollers).toEqual([]);
  });

  it('a group that does not exist, a topic that is not the group\'s, and a topic missing in Kafka: one line, exit 1', async () => {
    const missingGroup = await runCli(['poller', '--zk', zk, '--brokers', brokerList, '--group', randomName('nogroup'), '--topic', 't'], { env: noEnv });
    expectOneLineError(missingGroup, 1, /does not exist/, /ringleader create/);

    const { group } = await createGroup();
    const wrongTopic = await runCli(['poller', '--zk', zk, '--brokers', brokerList, '--group', group, '--topic', 'some-other-topic'], { env: noEnv });
    expectOneLineError(wrongTopic, 1, /some-other-topic/);

    const noTopic = await createGroup(false); // config only: the topic was never created in Kafka
    const missingTopic = await runCli(['poller', '--zk', zk, '--brokers', brokerList, '--group', noTopic.group, '--topic', noTopic.topic], { env: noEnv, timeoutMs: 30_000 });
    expectOneLineError(missingTopic, 1, new RegExp(noTopic.topic), /does not exist/);
  });

  it('--metrics-port: /metrics counts handled messages and /healthz answers 200', async () => {
    const { group, topic } = await createGroup();
    const poller = procs.start('p1', ['poller', '--zk', zk, '--brokers', brokerList, '--group', group, '--topic', topic, '--id', 'p1', '--session-timeout', '4000', '--metrics-port', '0']);
    const started = await poller.started();
    const url = String(started['metricsUrl']);
    expect(url).toMatch(/^http:\/\/[^/]+:\d+/);
    const base = new URL(url).origin;

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    await health.arrayBuffer();

    const p = await runCli(['produce', '--brokers', brokerList, '--topic', topic, '--count', '500', '--keys', '20']);
    expect(p.code, p.stderr).toBe(0);
    const handled = await waitFor('ringleader_messages_handled_total >= 500', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const total = text
        .split('\n')
        .filter((l) => l.startsWith('ringleader_messages_handled_total'))
        .reduce((n, l) => n + Number(l.split(/\s+/).pop()), 0);
      return total >= 500 ? total : null;
    }, { timeoutMs: 30_000, everyMs: 100 });
    expect(handled).toBe(500);

    poller.signal('SIGTERM');
    expect((await poller.waitExit(30_000)).code).toBe(0);
  });
});
