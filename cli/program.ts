import { Command, CommanderError } from 'commander';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, oneLine } from './errors.js';
import { kafkaErrorLine } from './kafka-error-line.js';
import { authHint } from './secrets.js';
import { registerPoller } from './commands/poller.js';
import { registerCoordinator } from './commands/coordinator.js';
import { registerCreate } from './commands/create.js';
import { registerStatus } from './commands/status.js';
import { registerWatch } from './commands/watch.js';
import { registerDrain } from './commands/drain.js';
import { registerProduce } from './commands/produce.js';
import { registerResize } from './commands/resize.js';
import { registerDemo } from './commands/demo.js';

/** In the order `ringleader --help` lists them. */
const COMMANDS: ((program: Command) => Command)[] = [
  registerPoller,
  registerCoordinator,
  registerCreate,
  registerStatus,
  registerWatch,
  registerDrain,
  registerProduce,
  registerResize,
  registerDemo,
];

/** Our package.json sits above both cli/ (sources) and dist/cli/ (build). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ringleader' && pkg.version) return pkg.version;
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

const version = packageVersion();

/**
 * The `ringleader` command. Each subcommand (cli/commands/) declares its
 * flags (every one also read from RINGLEADER_<FLAG>) and hands the typed
 * options to an action in cli/actions/, which never sees commander.
 */
export function buildProgram(): Command {
  const program = new Command('ringleader')
    .description('Spread a Kafka topic over a changing set of pollers, coordinated through ZooKeeper')
    .version(version)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true });
  for (const register of COMMANDS) register(program);
  return program;
}

/** Kafka errors don't say they are about Kafka ("Connection error: connect ECONNREFUSED ..."). */
function describe(err: unknown, argv: readonly string[]): string {
  const i = argv.indexOf('--brokers');
  const brokers = (i > 0 ? argv[i + 1] : undefined) ?? process.env.RINGLEADER_BROKERS ?? '?';
  return kafkaErrorLine(err, brokers) ?? oneLine(err);
}

/**
 * Runs one command line and returns the exit code: 0 (help and version
 * included), 2 for bad flags (commander already printed them as one line),
 * a CliError's own code, else 1, the error printed as one line on stderr.
 */
export async function runProgram(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`ringleader: ${describe(err, argv)}${authHint(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}
