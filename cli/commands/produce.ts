import type { Command } from 'commander';
import { integer, positiveNumber } from '../parse.js';
import { opt, addBrokersOption, addTopicOption, addLogOptions, addKafkaClientOption } from '../options.js';
import { name, zkConnect } from '../parse.js';
import { addZkAuthOptions } from '../secrets.js';
import { CliError } from '../errors.js';
import { createCliLogger } from '../logger.js';
import { printJson } from '../output.js';
import { runProduce } from '../actions/produce.js';

/** `ringleader produce`: prints what was sent as one JSON line; progress goes to stderr. */
export function registerProduce(program: Command): Command {
  const produce = program
    .command('produce')
    .description('send keyed load messages with the range partitioner (with --group: following the group\'s range count, registered in it)');
  addBrokersOption(produce, true);
  addTopicOption(produce, false);
  addZkAuthOptions(produce);
  produce
    .addOption(opt('--group <name>', 'follow this group: its topic and range count, registered as one of its producers').argParser(name('--group')))
    .addOption(opt('--zk <connect>', 'ZooKeeper connect string of the group (with --group)').argParser(zkConnect))
    .addOption(opt('--zk-root <path>', 'root znode of all groups').default('/ringleader'))
    .addOption(opt('--count <n>', 'messages to send').argParser(integer(0)).makeOptionMandatory())
    .addOption(opt('--keys <k>', 'distinct keys').argParser(integer(1)).default(100))
    .addOption(opt('--rate <r>', 'messages per second (default: as fast as possible)').argParser(positiveNumber))
    .addOption(opt('--size <bytes>', 'approximate value size').argParser(integer(16, 10_000_000)).default(200));
  addKafkaClientOption(produce);
  addLogOptions(produce);
  return produce.action(async (o) => {
    if (o.group !== undefined && o.zk === undefined) throw new CliError('--group needs --zk (the group lives in ZooKeeper)', 2);
    if (o.group === undefined && o.topic === undefined) throw new CliError('say where to send: --topic <name>, or --group <name> with --zk', 2);
    if (o.group !== undefined && o.kafkaClient !== 'kafkajs') throw new CliError('--group sends with --kafka-client kafkajs only', 2);
    printJson(await runProduce(o, createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel })));
  });
}
