import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCredentials, zkSecurityOptions, isZkCode, ZK, type ZkCredentials, type ZkSessionOptions } from '../coordinator/index.js';
import type { KafkaSecurity } from '../poller/index.js';
import { opt } from './option-env.js';
import { CliError } from './errors.js';

/**
 * Credentials on the command line (SECURITY.md). A flag's value is visible
 * to every local user in `ps` until we overwrite it, so the CLI rewrites its
 * process title at once (hideSecretArgs), and the docs recommend the
 * environment variables or the *-file flags instead.
 */
export const SECRET_FLAGS = ['--zk-auth', '--kafka-password'] as const;
export const REDACTED = '[redacted]';

/** Log fields pino replaces with [redacted], at the top level or one level down. */
export const REDACT_PATHS = ['password', 'zkAuth', 'kafkaPassword', 'auth', 'sasl', 'authorization', 'credentials']
  .flatMap((k) => [k, `*.${k}`]);

/** argv with the values of secret flags replaced: both `--flag value` and `--flag=value`. */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = SECRET_FLAGS.find((f) => a.startsWith(`${f}=`));
    if (eq) {
      out.push(`${eq}=${REDACTED}`);
    } else if ((SECRET_FLAGS as readonly string[]).includes(a) && i + 1 < argv.length) {
      out.push(a, REDACTED);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * Overwrites what `ps` shows of this process (Node writes process.title over
 * the original argv memory, which /proc/<pid>/cmdline reads) when a secret
 * was given as a flag. The secret is visible from exec until this runs, so
 * the flags are for convenience only: prefer RINGLEADER_KAFKA_PASSWORD /
 * RINGLEADER_ZK_AUTH or the -file flags.
 */
export function hideSecretArgs(argv: readonly string[] = process.argv): boolean {
  const redacted = redactArgv(argv);
  if (redacted.every((a, i) => a === argv[i])) return false;
  process.title = redacted.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
  return true;
}

/** A hint for ZooKeeper's NO_AUTH, which otherwise says nothing about what to do. */
export function authHint(err: unknown): string {
  return isZkCode(err, ZK.NO_AUTH) ? ' (the group is protected by ZooKeeper ACLs: pass its identity with --zk-auth, RINGLEADER_ZK_AUTH or --zk-auth-file)' : '';
}

function readSecretFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new CliError(`cannot read ${what} from ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 2);
  }
}

// ---- ZooKeeper ----

export interface ZkAuthFlags {
  zkAuth?: string;
  zkAuthFile?: string;
  zkAclRead?: 'world' | 'auth';
}

export function addZkAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(opt('--zk-auth <user:password>', 'ZooKeeper digest identity; the group is created writable by it only (prefer the env var or --zk-auth-file)').conflicts('zkAuthFile'))
    .addOption(opt('--zk-auth-file <file>', 'read the ZooKeeper user:password from this file'))
    .addOption(opt('--zk-acl-read <who>', 'with --zk-auth: who may read the group (world or only the identity: auth)').choices(['world', 'auth']).default('world'));
}

export function zkCredentials(o: ZkAuthFlags): ZkCredentials | undefined {
  const text = o.zkAuthFile !== undefined ? readSecretFile(o.zkAuthFile, 'ZooKeeper credentials') : o.zkAuth;
  if (text === undefined) return undefined;
  try {
    return { ...parseCredentials(text), read: o.zkAclRead ?? 'world' };
  } catch (err) {
    throw new CliError(`--zk-auth: ${(err as Error).message}`, 2);
  }
}

/** Spread into `new ZkSession({...})`. */
export function zkSecurity(o: ZkAuthFlags): Pick<ZkSessionOptions, 'auth' | 'acls' | 'parentAcls'> {
  return zkSecurityOptions(zkCredentials(o));
}

// ---- Kafka ----

export interface KafkaAuthFlags {
  kafkaSaslMechanism?: 'plain' | 'scram-sha-512';
  kafkaUsername?: string;
  kafkaPassword?: string;
  kafkaPasswordFile?: string;
  kafkaSsl?: boolean;
  kafkaCaFile?: string;
}

export function addKafkaAuthOptions(cmd: Command): Command {
  return cmd
    .addOption(opt('--kafka-sasl-mechanism <mechanism>', 'authenticate to Kafka with SASL').choices(['plain', 'scram-sha-512']))
    .addOption(opt('--kafka-username <user>', 'SASL username'))
    .addOption(opt('--kafka-password <password>', 'SASL password (visible in ps: prefer RINGLEADER_KAFKA_PASSWORD or --kafka-password-file)').conflicts('kafkaPasswordFile'))
    .addOption(opt('--kafka-password-file <file>', 'read the SASL password from this file'))
    .addOption(opt('--kafka-ssl', 'TLS to the brokers'))
    .addOption(opt('--kafka-ca-file <file>', 'PEM CA bundle to trust for TLS (implies --kafka-ssl)'));
}

export function kafkaSecurityFrom(o: KafkaAuthFlags): KafkaSecurity | undefined {
  const security: KafkaSecurity = {};
  if (o.kafkaCaFile !== undefined) security.ssl = { ca: readSecretFile(o.kafkaCaFile, 'the Kafka CA') };
  else if (o.kafkaSsl) security.ssl = true;
  const password = o.kafkaPasswordFile !== undefined ? readSecretFile(o.kafkaPasswordFile, 'the Kafka password') : o.kafkaPassword;
  if (o.kafkaSaslMechanism) {
    if (!o.kafkaUsername) throw new CliError('--kafka-sasl-mechanism needs --kafka-username', 2);
    if (password === undefined) throw new CliError('--kafka-sasl-mechanism needs --kafka-password, RINGLEADER_KAFKA_PASSWORD or --kafka-password-file', 2);
    security.sasl = { mechanism: o.kafkaSaslMechanism, username: o.kafkaUsername, password };
  } else if (o.kafkaUsername !== undefined || password !== undefined) {
    throw new CliError('--kafka-username / --kafka-password need --kafka-sasl-mechanism plain|scram-sha-512', 2);
  }
  return security.sasl || security.ssl ? security : undefined;
}
