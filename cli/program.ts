import { Command, Option } from 'commander';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { integer, positiveNumber, httpUrl, name } from './parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addTopicOption, addLogOptions } from './options.js';
import { createCliLogger } from './logger.js';
import { CliError } from './errors.js';
import { MAX_RANGES } from '../coordinator/index.js';
import { runPoller } from './actions/poller.js';
import { runCoordinator } from './actions/coordinator.js';
import { runCreate } from './actions/create.js';
import { readStatus, statusJson, formatStatus } from './actions/status.js';
import { runWatch } from './actions/watch.js';
import { runDrain } from './actions/drain.js';
import { runProduce } from './actions/produce.js';
import { registerDemo } from './commands/demo.js';

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

/** Writes one JSON line of machine output. */
function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * The `ringleader` command. Each subcommand declares its flags (every one
 * also read from RINGLEADER_<FLAG>), turns them into a typed options object
 * and hands it to an action in cli/actions/, which never sees commander.
 */
export function buildProgram(): Command {
  const program = new Command('ringleader')
    .description('Spread a Kafka topic over a changing set of pollers, coordinated through ZooKeeper')
    .version(version)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true });

  const poller = program.command('poller').description('run a worker that consumes the ranges assigned to it');
  addZkOptions(poller);
  addGroupOption(poller);
  addBrokersOption(poller, true);
  addTopicOption(poller);
  poller
    .addOption(opt('--id <id>', 'poller id, unique in the group (default: host-pid-random)').argParser(name('--id')))
    .addOption(opt('--weight <n>', 'share of ranges relative to other pollers').argParser(positiveNumber).default(1))
    .addOption(opt('--handler <file>', 'JS module whose default export is async (msg) => void').conflicts('forward'))
    .addOption(opt('--forward <url>', 'POST each message to this HTTP sidecar').argParser(httpUrl))
    .addOption(opt('--forward-timeout <ms>', 'per-request timeout of --forward').argParser(integer(1)).default(30_000))
    .addOption(opt('--concurrency <n>', 'messages of different keys handled at once per range').argParser(integer(1, 10_000)).default(1))
    .addOption(opt('--max-in-flight <n>', 'cap on handler calls in flight across all ranges of this poller').argParser(integer(1, 1_000_000)))
    .addOption(opt('--max-attempts <n>', 'handler attempts before a message is dead-lettered').argParser(integer(1, 1_000)).default(5))
    .addOption(opt('--session-timeout <ms>', 'ZooKeeper session timeout').argParser(integer(1_000, 600_000)).default(10_000))
    .addOption(opt('--commit-interval <ms>', 'how often acknowledged offsets are committed').argParser(integer(10)).default(500))
    .addOption(opt('--drain-timeout <ms>', 'how long a handoff or a graceful stop may wait for in-flight work').argParser(integer(0)).default(30_000))
    .addOption(opt('--settle <ms>', 'settle window of the coordinator before it reassigns after joins (after a member leaves: the smaller of 50 ms and this)').argParser(integer(0)).default(200))
    .addOption(opt('--metrics-port <port>', 'serve /metrics and /healthz on this port (0 = any)').argParser(integer(0, 65_535)))
    .addOption(opt('--from <where>', 'start of a range with no committed offset').choices(['earliest', 'latest']).default('earliest'))
    .addOption(new Option('--no-coordinator', 'do not take part in leader election'));
  addLogOptions(poller);
  poller.action(async (o) => {
    const log = createCliLogger(o);
    await runPoller(o, log);
  });

  const coordinator = program.command('coordinator').description('run a standalone coordinator candidate (consumes nothing)');
  addZkOptions(coordinator);
  addGroupOption(coordinator);
  coordinator
    .addOption(opt('--id <id>', 'candidate id').argParser(name('--id')))
    .addOption(opt('--session-timeout <ms>', 'ZooKeeper session timeout').argParser(integer(1_000, 600_000)).default(10_000))
    .addOption(opt('--settle <ms>', 'settle window before reassigning after joins (after a member leaves: the smaller of 50 ms and this)').argParser(integer(0)).default(200));
  addLogOptions(coordinator);
  coordinator.action(async (o) => {
    await runCoordinator(o, createCliLogger(o));
  });

  const create = program.command('create').description('create the topic (R partitions, plus <topic>.dlq) and the group config');
  addZkOptions(create);
  addGroupOption(create);
  addBrokersOption(create, false);
  addTopicOption(create);
  create
    .addOption(opt('--ranges <R>', 'number of ranges = partitions (fixed for the life of the group)').argParser(integer(1, MAX_RANGES)).makeOptionMandatory())
    .addOption(opt('--replication-factor <n>', 'replication factor of new topics (default: the broker default)').argParser(integer(1, 100)));
  addLogOptions(create);
  create.action(async (o) => {
    print(await runCreate(o, createCliLogger({ ...o, logLevel: o.logLevel ?? 'warn' })));
  });

  const status = program.command('status').description('show members, assignment, leases and offsets');
  addZkOptions(status);
  addGroupOption(status);
  addBrokersOption(status, false);
  status.addOption(opt('--json', 'one JSON object on stdout'));
  addLogOptions(status);
  status.action(async (o) => {
    const snap = await readStatus(o, createCliLogger({ ...o, logLevel: 'warn' }));
    process.stdout.write(o.json ? `${JSON.stringify(statusJson(snap))}\n` : `${formatStatus(snap)}\n`);
  });

  const watch = program.command('watch').description('follow the group live (NDJSON events with --json)');
  addZkOptions(watch);
  addGroupOption(watch);
  addBrokersOption(watch, false);
  watch
    .addOption(opt('--json', 'NDJSON events on stdout'))
    .addOption(opt('--refresh <ms>', 'safety-net refresh interval').argParser(integer(50)).default(1_000))
    .addOption(opt('--duration <ms>', 'stop after this long (0 = until Ctrl-C)').argParser(integer(0)).default(0));
  addLogOptions(watch);
  watch.action(async (o) => {
    await runWatch(o, createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel }));
  });

  const drain = program.command('drain').description('ask a poller to hand off its ranges and leave').argument('<pollerId>');
  addZkOptions(drain);
  addGroupOption(drain);
  drain
    .addOption(new Option('--no-wait', 'return at once instead of waiting until the poller has left'))
    .addOption(opt('--timeout <ms>', 'how long to wait').argParser(integer(0)).default(120_000));
  addLogOptions(drain);
  drain.action(async (pollerId: string, o) => {
    print(await runDrain({ ...o, pollerId }, createCliLogger({ ...o, logLevel: 'warn' })));
  });

  const produce = program.command('produce').description('send keyed load messages with the range partitioner');
  addBrokersOption(produce, true);
  addTopicOption(produce);
  produce
    .addOption(opt('--count <n>', 'messages to send').argParser(integer(0)).makeOptionMandatory())
    .addOption(opt('--keys <k>', 'distinct keys').argParser(integer(1)).default(100))
    .addOption(opt('--rate <r>', 'messages per second (default: as fast as possible)').argParser(positiveNumber))
    .addOption(opt('--size <bytes>', 'approximate value size').argParser(integer(16, 10_000_000)).default(200));
  addLogOptions(produce);
  produce.action(async (o) => {
    print(await runProduce(o, createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel })));
  });

  registerDemo(program);
  return program;
}

export { CliError };
