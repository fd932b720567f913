#!/usr/bin/env node
import { runProgram } from './program.js';
import { hideSecretArgs } from './secrets.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

// Before anything else: --kafka-password / --zk-auth values out of `ps`.
hideSecretArgs();

process.exit(await runProgram(process.argv));
