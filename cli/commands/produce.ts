import type { Command } from 'commander';
import { integer, positiveNumber } from '../parse.js';
import { opt, addBrokersOption, addTopicOption, addLogOptions, addKafkaClientOption } from '../options.js';
import { createCliLogger } from '../logger.js';
import { printJson } from '../output.js';
import { runProduce } from '../actions/produce.js';

/** `ringleader produce`: prints what was sent as one JSON line; progress goes to stderr. */
export function registerProduce(program: Command): Command {
  const produce = program.command('produce').description('send keyed load messages with the range partitioner');
  addBrokersOption(produce, true);
  addTopicOption(produce);
  produce
    .addOption(opt('--count <n>', 'messages to send').argParser(integer(0)).makeOptionMandatory())
    .addOption(opt('--keys <k>', 'distinct keys').argParser(integer(1)).default(100))
    .addOption(opt('--rate <r>', 'messages per second (default: as fast as possible)').argParser(positiveNumber))
    .addOption(opt('--size <bytes>', 'approximate value size').argParser(integer(16, 10_000_000)).default(200));
  addKafkaClientOption(produce);
  addLogOptions(produce);
  return produce.action(async (o) => {
    printJson(await runProduce(o, createCliLogger({ ...o, logLevel: o.logLevel === 'info' ? 'warn' : o.logLevel })));
  });
}
