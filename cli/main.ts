#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { oneLine, CliError } from './errors.js';
import { hideSecretArgs, authHint } from './secrets.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

// Before anything else: --kafka-password / --zk-auth values out of `ps`.
hideSecretArgs();

/** kafkajs errors don't say they are about Kafka ("Connection error: connect ECONNREFUSED ..."). */
function describe(err: unknown): string {
  const name = (err as { name?: unknown })?.name;
  if (typeof name === 'string' && name.startsWith('KafkaJS')) {
    const i = process.argv.indexOf('--brokers');
    const brokers = (i > 0 ? process.argv[i + 1] : undefined) ?? process.env.RINGLEADER_BROKERS ?? '?';
    return `Kafka at ${brokers}: ${oneLine(err)}`;
  }
  return oneLine(err);
}

const program = buildProgram();
program.exitOverride();
for (const cmd of program.commands) cmd.exitOverride();

try {
  await program.parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version end with code 0; bad flags were already printed as one line.
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  process.stderr.write(`ringleader: ${describe(err)}${authHint(err)}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}
