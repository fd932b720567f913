#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { oneLine, CliError } from './errors.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

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
  process.stderr.write(`ringleader: ${oneLine(err)}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
}
