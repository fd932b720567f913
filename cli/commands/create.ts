import type { Command } from 'commander';
import { integer } from '../parse.js';
import { opt, addZkOptions, addGroupOption, addBrokersOption, addTopicOption, addLogOptions, addKafkaClientOption } from '../options.js';
import { createCliLogger } from '../logger.js';
import { printJson } from '../output.js';
import { MAX_GROUP_RANGES } from '../../coordinator/index.js';
import { runCreate } from '../actions/create.js';

/** `ringleader create`: prints what it created (or found) as one JSON line. */
export function registerCreate(program: Command): Command {
  const create = program.command('create').description('create the topic (R partitions, plus <topic>.dlq) and the group config');
  addZkOptions(create);
  addGroupOption(create);
  addBrokersOption(create, false);
  addTopicOption(create);
  create
    .addOption(opt('--ranges <R>', 'number of ranges = partitions (grown later only with `ringleader resize`)').argParser(integer(1, MAX_GROUP_RANGES)).makeOptionMandatory())
    .addOption(opt('--replication-factor <n>', 'replication factor of new topics (default: the broker default)').argParser(integer(1, 100)));
  addKafkaClientOption(create);
  addLogOptions(create);
  return create.action(async (o) => {
    printJson(await runCreate(o, createCliLogger({ ...o, logLevel: o.logLevel ?? 'warn' })));
  });
}
