#!/usr/bin/env node
// `npm run infra -- up|down|status`: argv -> typed command (cli-args) -> action (commands).
import { CommanderError } from 'commander';
import pino from 'pino';
import pretty from 'pino-pretty';
import { parseInfraArgs } from './cli-args.js';
import { down, status, up } from './commands.js';
import { InfraError } from './errors.js';
import { killEverythingStarted } from './jvm-process.js';

const logger = pino(
  { level: process.env['LOG_LEVEL'] ?? 'info' },
  pretty({ destination: 2, sync: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }),
);
const print = (line: string) => process.stdout.write(line + '\n');

async function main(): Promise<number> {
  let command;
  try {
    command = parseInfraArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 || err.code === 'commander.helpDisplayed' ? 0 : 2;
    throw err;
  }
  switch (command.command) {
    case 'up': {
      // Servers are detached; if `up` is interrupted halfway, take them down with us.
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(sig, () => {
          killEverythingStarted();
          process.stderr.write(`error: interrupted; stopped what had been started\n`);
          process.exit(130);
        });
      }
      await up(command, { logger, print });
      return 0;
    }
    case 'down':
      await down(command, { logger, print });
      return 0;
    case 'status':
      return (await status({ logger, print })) ? 0 : 3;
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    killEverythingStarted();
    const message = err instanceof InfraError ? err.message : err instanceof Error ? err.stack ?? err.message : String(err);
    process.stderr.write(`error: ${message}\n`);
    process.exit(1);
  },
);
