// Authenticated Kafka: a private broker with only a SASL_PLAINTEXT listener
// (PLAIN and SCRAM-SHA-512), the CLI creating, producing, consuming and
// reporting through it, wrong credentials failing fast with one line, and the
// password never showing up in logs, status output, ps or znodes; on each
// Kafka client of create, produce and poller (--kafka-client).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ZkSession } from '../coordinator/index.js';
import { zkConnect, randomName } from './support/env.js';
import { runCli, ProcSet, type RunResult } from './support/node-process.js';
import { privateKafka } from './support/private-kafka.js';
import { KAFKA_CLIENT_NAMES } from '../poller/kafka-clients.js';

const ADMIN = { username: 'admin', password: `adm${randomBytes(8).toString('hex')}` };
const ALICE = { username: 'alice', password: `pw${randomBytes(12).toString('hex')}` };

const procs = new ProcSet();
const kafka = privateKafka('sasl', procs, () => ({ sasl: { users: [ADMIN, ALICE] }, heap: '384m' }));

function status(group: string, auth: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runCli(['status', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--json', ...auth], { env });
}

/** Every znode under `path` with its data, depth first. */
async function dumpZnodes(path: string): Promise<string> {
  const zk = new ZkSession({ connect: zkConnect() });
  await zk.start();
  try {
    const out: string[] = [];
    const walk = async (p: string): Promise<void> => {
      const node = await zk.getDataOrNull(p);
      out.push(`${p} ${node?.data.toString('utf8') ?? ''}`);
      for (const c of await zk.getChildren(p).catch(() => [])) await walk(`${p}/${c}`);
    };
    await walk(path);
    return out.join('\n');
  } finally {
    await zk.close();
  }
}

describe.each(KAFKA_CLIENT_NAMES)('Kafka with SASL on %s: the happy path', (client) => {
  it('creates, produces, consumes (PLAIN and SCRAM-SHA-512) and reports; the password appears nowhere', async () => {
    const clientFlag = ['--kafka-client', client];
    const group = randomName('sasl');
    const topic = randomName('sasl-t');
    const pwFile = join(kafka.dir, `pw-${group}`);
    writeFileSync(pwFile, `${ALICE.password}\n`, { mode: 0o600 });
    const plainEnv = { RINGLEADER_KAFKA_PASSWORD: ALICE.password };
    const plain = ['--kafka-sasl-mechanism', 'plain', '--kafka-username', ALICE.username];

    const created = await runCli(['create', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--ranges', '4', ...plain, ...clientFlag], { env: plainEnv });
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ created: true, config: { topic, ranges: 4 } });

    const produced = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '200', '--keys', '20',
      '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', ALICE.username, '--kafka-password-file', pwFile, ...clientFlag]);
    expect(produced.code, produced.stderr).toBe(0);
    expect(JSON.parse(produced.stdout)).toMatchObject({ sent: 200 });

    // The password on the command line on purpose: it must vanish from ps.
    const poller = procs.start('p1', ['poller', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic,
      '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', ALICE.username, '--kafka-password', ALICE.password,
      '--log-level', 'debug', '--commit-interval', '100', ...clientFlag]);
    await poller.started(90_000);
    const ps = execFileSync('ps', ['-o', 'args=', '-p', String(poller.pid)], { encoding: 'utf8' });
    expect(ps).toContain('--kafka-password [redacted]');
    expect(ps).not.toContain(ALICE.password);

    let committed = 0;
    let last: RunResult | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      last = await status(group, plain, plainEnv);
      if (last.code === 0) {
        const s = JSON.parse(last.stdout) as { assignment: { committed: string | null; lag: number | null }[] };
        committed = s.assignment.reduce((a, r) => a + Number(r.committed ?? 0), 0);
        if (committed === 200 && s.assignment.every((r) => r.lag === 0)) break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(last?.code, last?.stderr).toBe(0);
    expect(committed).toBe(200);

    poller.signal('SIGTERM');
    const exit = await poller.waitExit(30_000);
    expect(exit.code).toBe(0);
    // debug logs include the client's SASL handshakes; none may carry the password.
    expect(poller.logs.some((l) => /SASL/i.test(JSON.stringify(l)))).toBe(true);
    for (const text of [poller.stderr, poller.stdout, created.stdout, produced.stdout, produced.stderr, last!.stdout, last!.stderr]) {
      expect(text).not.toContain(ALICE.password);
    }
    expect(await dumpZnodes(`/ringleader/${group}`)).not.toContain(ALICE.password);
  }, 240_000);
});

describe('Kafka with SASL: bad credentials and flags', () => {
  it('wrong credentials: one clear line and a non-zero exit, quickly (no retry loop)', async () => {
    const group = randomName('sasl-bad');
    const topic = randomName('sasl-bad-t');
    const good = await runCli(['create', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--ranges', '2',
      '--kafka-sasl-mechanism', 'plain', '--kafka-username', ALICE.username], { env: { RINGLEADER_KAFKA_PASSWORD: ALICE.password } });
    expect(good.code, good.stderr).toBe(0);

    const wrong = 'not-the-password';
    const cases: [string, string[]][] = [
      ['produce/plain', ['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '1', '--kafka-sasl-mechanism', 'plain', '--kafka-username', ALICE.username, '--kafka-password', wrong]],
      ['produce/scram', ['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '1', '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', ALICE.username, '--kafka-password', wrong]],
      ['status/unknown user', ['status', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--json', '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', 'mallory', '--kafka-password', wrong]],
      ['watch/plain', ['watch', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--json', '--duration', '20000', '--kafka-sasl-mechanism', 'plain', '--kafka-username', ALICE.username, '--kafka-password', wrong]],
      ['poller/scram', ['poller', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', ALICE.username, '--kafka-password', wrong]],
      ['produce/plain on platformatic', ['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '1', '--kafka-client', 'platformatic', '--kafka-sasl-mechanism', 'plain', '--kafka-username', ALICE.username, '--kafka-password', wrong]],
      ['poller/scram on platformatic', ['poller', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--kafka-client', 'platformatic', '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', ALICE.username, '--kafka-password', wrong]],
      ['poller/no SASL at all', ['poller', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--connect-timeout', '5000']],
    ];
    for (const [what, args] of cases) {
      const r = await runCli(args, { timeoutMs: 60_000 });
      const lines = r.stderr.trim().split('\n');
      expect(r.code, `${what}: ${r.stderr}`).toBe(1);
      expect(r.signal, what).toBeNull();
      expect(r.ms, what).toBeLessThan(what.includes('no SASL') ? 40_000 : 15_000);
      const last = lines[lines.length - 1]!;
      expect(last, what).toMatch(/^ringleader: /);
      if (!what.includes('no SASL')) expect(last, what).toMatch(/SASL|authentication/i);
      expect(r.stderr, what).not.toContain(wrong);
    }
  }, 240_000);

  it('bad security flags exit 2 with one line', async () => {
    const r1 = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', 't', '--count', '1', '--kafka-sasl-mechanism', 'plain', '--kafka-password', 'x']);
    expect(r1.code).toBe(2);
    expect(r1.stderr.trim()).toMatch(/^ringleader: --kafka-sasl-mechanism needs --kafka-username$/);
    const r2 = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', 't', '--count', '1', '--kafka-username', 'alice', '--kafka-password', 'x']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).not.toContain('--kafka-password x');
    const r3 = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', 't', '--count', '1', '--kafka-sasl-mechanism', 'md5']);
    expect(r3.code).toBe(2);
    const r4 = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', 't', '--count', '1', '--kafka-sasl-mechanism', 'plain', '--kafka-username', 'a', '--kafka-password-file', join(kafka.dir, 'missing')]);
    expect(r4.code).toBe(2);
    expect(r4.stderr.trim()).toMatch(/^ringleader: cannot read the Kafka password from .*missing: ENOENT$/);
  });
});
