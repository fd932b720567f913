import { Option, type Command } from 'commander';
import { opt, addKafkaClientOption } from '../options.js';
import type { KafkaClientName } from '../../poller/index.js';
import { brokerList, integer, positiveNumber, zkConnect } from '../parse.js';
import { runDemo } from '../demo/run-demo.js';
import { formatSummary } from '../demo/summary.js';
import { CliError } from '../errors.js';
import { printJson } from '../output.js';

/** `ringleader demo` is registered here; the demo itself lives in cli/demo/. */
export function registerDemo(program: Command): Command {
  const demo = program.command('demo');
  addKafkaClientOption(demo);
  return demo
    .description('start everything on this machine and show scaling and recovery (see README)')
    .option('--ci', 'no live view; print a JSON summary and exit 0 only when nothing was lost')
    .addOption(opt('--zk <connect>', 'use this ZooKeeper (default: .infra/env when it answers, else start one)').argParser(zkConnect))
    .addOption(opt('--brokers <list>', 'use these Kafka brokers (with --zk)').argParser(brokerList))
    .addOption(new Option('--fresh-servers', 'always start own ZooKeeper and Kafka for the demo, and stop them after'))
    .addOption(opt('--step-seconds <s>', 'seconds between the script steps (join, kill, drain, resize, finish)').argParser(positiveNumber).default(15))
    .addOption(opt('--rate <r>', 'messages per second the producer sends').argParser(positiveNumber).default(200))
    .addOption(opt('--keys <k>', 'distinct message keys').argParser(integer(1)).default(1_000))
    .addOption(opt('--ranges <R>', 'ranges (= partitions) of the demo topic').argParser(integer(4, 1_024)).default(16))
    .addOption(opt('--session-timeout <ms>', 'ZooKeeper session timeout of the pollers').argParser(integer(1_000, 600_000)).default(5_000))
    .addOption(opt('--wait-timeout <ms>', 'bound of each wait (convergence, catch-up, stops)').argParser(integer(1_000)).default(60_000))
    .addOption(
      opt('--log-level <level>', 'log level (logs: stderr with --ci, a file with the live view)')
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
        .default('info'),
    )
    .action(async (o) => {
      const ci = o.ci === true;
      // With --ci, stdout carries only the JSON line; progress goes to stderr.
      const say = (line: string) => (ci ? process.stderr : process.stdout).write(`${line}\n`);
      const summary = await runDemo(
        {
          ci,
          ...(o.zk ? { zk: o.zk as string } : {}),
          ...(o.brokers ? { brokers: o.brokers as string[] } : {}),
          freshServers: o.freshServers === true,
          stepSeconds: o.stepSeconds as number,
          rate: o.rate as number,
          keys: o.keys as number,
          ranges: o.ranges as number,
          sessionTimeout: o.sessionTimeout as number,
          waitTimeout: o.waitTimeout as number,
          logLevel: o.logLevel as string,
          kafkaClient: o.kafkaClient as KafkaClientName,
        },
        say,
      );
      if (ci) printJson(summary);
      else process.stdout.write(`${formatSummary(summary)}\n`);
      // Interrupted: the producer and pollers were stopped before the backlog was worked off.
      if (summary.interrupted) throw new CliError('interrupted', 130);
      if (summary.lost > 0) throw new CliError(`${summary.lost} produced messages were never handled`);
      if (summary.error) throw new CliError(summary.error);
    });
}
