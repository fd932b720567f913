import type { Command } from 'commander';
import { KAFKA_CLIENT_NAMES } from '../poller/index.js';
import { opt } from './option-env.js';

export { opt, envName } from './option-env.js';
import { brokerList, integer, name, zkConnect } from './parse.js';
import { addZkAuthOptions, addKafkaAuthOptions } from './secrets.js';

export function addZkOptions(cmd: Command): Command {
  addZkAuthOptions(cmd);
  return cmd
    .addOption(opt('--zk <connect>', 'ZooKeeper connect string, host:port[,host:port][/chroot]').argParser(zkConnect).makeOptionMandatory())
    .addOption(opt('--zk-root <path>', 'root znode of all groups').default('/ringleader'))
    .addOption(opt('--connect-timeout <ms>', 'give up reaching ZooKeeper after this long').argParser(integer(100)).default(30_000));
}

export function addGroupOption(cmd: Command): Command {
  return cmd.addOption(opt('--group <name>', 'consumer group name').argParser(name('--group')).makeOptionMandatory());
}

export function addBrokersOption(cmd: Command, mandatory: boolean): Command {
  const o = opt('--brokers <list>', 'Kafka bootstrap brokers, host:port[,host:port]').argParser(brokerList);
  return addKafkaAuthOptions(cmd.addOption(mandatory ? o.makeOptionMandatory() : o));
}

export function addTopicOption(cmd: Command, mandatory = true): Command {
  const o = opt('--topic <name>', 'Kafka topic').argParser(name('--topic'));
  return cmd.addOption(mandatory ? o.makeOptionMandatory() : o);
}

export function addLogOptions(cmd: Command): Command {
  return cmd
    .addOption(opt('--pretty', 'human-readable logs on stderr'))
    .addOption(
      opt('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    );
}

export interface ZkFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
}

export interface LogFlags {
  pretty?: boolean;
  logLevel?: string;
}

/** `--kafka-client`: the Kafka client library of the command (poller, produce, create, demo). */
export function addKafkaClientOption(cmd: Command): Command {
  return cmd.addOption(opt('--kafka-client <name>', 'Kafka client library').choices([...KAFKA_CLIENT_NAMES]).default('kafkajs'));
}
