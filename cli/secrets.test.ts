import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redactArgv, REDACT_PATHS, REDACTED, kafkaSecurityFrom, zkCredentials } from './secrets.js';
import { CliError } from './errors.js';

describe('secrets', () => {
  it('redactArgv hides the values of --kafka-password and --zk-auth in both forms', () => {
    expect(redactArgv(['node', 'main.js', 'poller', '--kafka-password', 'pw', '--zk-auth=u:p', '--topic', 't'])).toEqual(
      ['node', 'main.js', 'poller', '--kafka-password', REDACTED, `--zk-auth=${REDACTED}`, '--topic', 't'],
    );
    expect(redactArgv(['--kafka-password'])).toEqual(['--kafka-password']);
    expect(redactArgv(['--kafka-password-file', 'f'])).toEqual(['--kafka-password-file', 'f']);
  });

  it('pino redaction covers credential fields at the top level and one level down', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: REDACTED } }, sink);
    log.info({ password: 'pw1', sasl: { mechanism: 'plain', username: 'u', password: 'pw2' }, opts: { zkAuth: 'u:pw3', kafkaPassword: 'pw4' }, auth: 'pw5' }, 'x');
    for (const pw of ['pw1', 'pw2', 'pw3', 'pw4', 'pw5']) expect(out).not.toContain(pw);
    expect(out).toContain(REDACTED);
  });

  it('credential flags: files, env-style values and clear errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
    try {
      writeFileSync(join(dir, 'pw'), 'p:w\n');
      expect(kafkaSecurityFrom({ kafkaSaslMechanism: 'scram-sha-512', kafkaUsername: 'a', kafkaPasswordFile: join(dir, 'pw') })).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'a', password: 'p:w' } });
      expect(kafkaSecurityFrom({})).toBeUndefined();
      expect(kafkaSecurityFrom({ kafkaSsl: true })).toEqual({ ssl: true });
      expect(() => kafkaSecurityFrom({ kafkaSaslMechanism: 'plain', kafkaUsername: 'a' })).toThrow(CliError);
      expect(zkCredentials({ zkAuthFile: join(dir, 'pw') })).toEqual({ user: 'p', password: 'w', read: 'world' });
      expect(zkCredentials({ zkAuth: 'u:a:b:c', zkAclRead: 'auth' })).toEqual({ user: 'u', password: 'a:b:c', read: 'auth' });
      for (const bad of ['', 'nocolon', ':pw', 'u:', 'a b:pw']) expect(() => zkCredentials({ zkAuth: bad }), bad).toThrow(CliError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
