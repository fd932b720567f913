import { Option, type Command } from 'commander';
import { integer, positiveNumber, httpUrl, name } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addTopicOption, addLogOptions, addKafkaClientOption } from '../options.js';
import { createCliLogger } from '../logger.js';
import { runPoller } from '../actions/poller.js';

/** `ringleader poller`: the worker process; runs until a signal or `ringleader drain`. */
export function registerPoller(program: Command): Command {
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
    .addOption(opt('--commit-interval <ms>', 'least time between two commits of this poller (a commit follows handled messages as soon as this allows)').argParser(integer(10)).default(100))
    .addOption(opt('--drain-timeout <ms>', 'how long a handoff or a graceful stop may wait for in-flight work').argParser(integer(0)).default(30_000))
    .addOption(opt('--kafka-request-timeout <ms>', 'how long to wait for a Kafka broker\'s reply before trying again; a frozen broker holds its ranges this long').argParser(integer(1_000, 600_000)).default(30_000))
    .addOption(opt('--fetch-stall-timeout <ms>', 'no Kafka broker answered for this long: mark ourselves unhealthy so our ranges move (default: 2 x --session-timeout; 0 = never)').argParser(integer(0)))
    .addOption(opt('--handler-stall-timeout <ms>', 'the handler or --forward sidecar refused every call for this long: mark ourselves unhealthy so our ranges move (default: 2 x --session-timeout; 0 = never)').argParser(integer(0)))
    .addOption(opt('--settle <ms>', 'settle window of the coordinator before it reassigns after joins (after a member leaves: the smaller of 50 ms and this)').argParser(integer(0)).default(200))
    .addOption(opt('--metrics-port <port>', 'serve /metrics and /healthz on this port (0 = any)').argParser(integer(0, 65_535)))
    .addOption(opt('--from <where>', 'start of a range with no committed offset').choices(['earliest', 'latest']).default('earliest'))
    .addOption(new Option('--no-coordinator', 'do not take part in leader election'));
  addKafkaClientOption(poller);
  addLogOptions(poller);
  return poller.action(async (o) => {
    const log = createCliLogger(o);
    await runPoller(o, log);
  });
}
