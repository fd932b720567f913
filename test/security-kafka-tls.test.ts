// Kafka over TLS: a private broker with only a SASL_SSL listener (a private
// CA made with openssl for the test). The CLI creates, produces, consumes and
// reports with --kafka-ssl --kafka-ca-file and SCRAM-SHA-512; without the CA
// (system trust only) it fails with one line, quickly; on each Kafka client of
// create, produce and poller (--kafka-client).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { zkConnect, randomName } from './support/env.js';
import { runCli, ProcSet, type RunResult } from './support/node-process.js';
import { privateKafka } from './support/private-kafka.js';
import { KAFKA_CLIENT_NAMES } from '../poller/kafka-clients.js';

const ADMIN = { username: 'admin', password: `adm${randomBytes(8).toString('hex')}` };
const BOB = { username: 'bob', password: `pw${randomBytes(12).toString('hex')}` };

let caFile: string;
const procs = new ProcSet();

/** A CA and a server certificate for 127.0.0.1 signed by it; key + chain in one PEM for Kafka. */
function makeCerts(d: string): { caFile: string; keystoreFile: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ringleader test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(join(d, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext']);
  run(['pkcs8', '-topk8', '-nocrypt', '-in', 'server.key', '-out', 'server.pk8']);
  const keystoreFile = join(d, 'keystore.pem');
  writeFileSync(keystoreFile, readFileSync(join(d, 'server.pk8'), 'utf8') + readFileSync(join(d, 'server.pem'), 'utf8'), { mode: 0o600 });
  return { caFile: join(d, 'ca.pem'), keystoreFile };
}

const kafka = privateKafka('tls', procs, (dir) => {
  const tls = makeCerts(dir);
  caFile = tls.caFile;
  return { sasl: { users: [ADMIN, BOB] }, tls, heap: '384m' };
});

describe.each(KAFKA_CLIENT_NAMES)('Kafka over TLS (SASL_SSL) on %s', (client) => {
  it('create, produce, consume and status with --kafka-ssl --kafka-ca-file and SCRAM; one line without the CA', async () => {
    const group = randomName('tls');
    const topic = randomName('tls-t');
    // The client of create, produce and poller; status and its lag stay on kafkajs.
    const env = { RINGLEADER_KAFKA_PASSWORD: BOB.password, RINGLEADER_KAFKA_CLIENT: client };
    const sec = ['--kafka-ssl', '--kafka-ca-file', caFile, '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', BOB.username];

    const created = await runCli(['create', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--ranges', '3', ...sec], { env });
    expect(created.code, created.stderr).toBe(0);
    const produced = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '90', '--keys', '9', ...sec], { env });
    expect(produced.code, produced.stderr).toBe(0);

    const poller = procs.start('p1', ['poller', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--topic', topic, '--commit-interval', '100', ...sec], env);
    await poller.started(90_000);
    let last: RunResult | undefined;
    let committed = 0;
    for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 500))) {
      last = await runCli(['status', '--zk', zkConnect(), '--group', group, '--brokers', kafka.broker.bootstrap, '--json', ...sec], { env });
      if (last.code !== 0) continue;
      const s = JSON.parse(last.stdout) as { assignment: { committed: string | null; lag: number | null }[] };
      committed = s.assignment.reduce((a, r) => a + Number(r.committed ?? 0), 0);
      if (committed === 90 && s.assignment.every((r) => r.lag === 0)) break;
    }
    expect(last?.code, last?.stderr).toBe(0);
    expect(committed).toBe(90);
    poller.signal('SIGTERM');
    expect((await poller.waitExit(30_000)).code).toBe(0);

    // The broker's certificate is not trusted without --kafka-ca-file.
    const untrusted = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '1', '--kafka-ssl', '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', BOB.username], { env, timeoutMs: 60_000 });
    expect(untrusted.code).toBe(1);
    expect(untrusted.ms).toBeLessThan(30_000);
    expect(untrusted.stderr.trim().split('\n').pop()).toMatch(/^ringleader: Kafka at .*(certificate|SSL|TLS)/i);
    // Plaintext against the TLS listener fails too (one line, exit 1).
    const plaintext = await runCli(['produce', '--brokers', kafka.broker.bootstrap, '--topic', topic, '--count', '1', '--kafka-sasl-mechanism', 'scram-sha-512', '--kafka-username', BOB.username], { env, timeoutMs: 60_000 });
    expect(plaintext.code).toBe(1);
    expect(plaintext.stderr.trim().split('\n').pop()).toMatch(/^ringleader: /);
    for (const r of [created, produced, last!, untrusted, plaintext]) expect(r.stdout + r.stderr).not.toContain(BOB.password);
  }, 240_000);
});
