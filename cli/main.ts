#!/usr/bin/env node
import { runProgram } from './program.js';
import { hideSecretArgs } from './secrets.js';
import { quietKafkajsTimeoutWarning } from './quiet-kafkajs-timeout-warning.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
quietKafkajsTimeoutWarning();

// Before anything else: --kafka-password / --zk-auth values out of `ps`.
hideSecretArgs();

const code = await runProgram(process.argv);
// process.exit() drops what a pipe has not taken yet (a large `status --json`
// was cut at 64 KiB): an empty write's callback runs once everything before it is out.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(code);
