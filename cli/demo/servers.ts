import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startInfra, infraHome, parseEnvFile, kafkaAnswers, zooKeeperAnswers } from '../../infra/index.js';
import { CliError } from '../errors.js';

export interface DemoServers {
  zk: string;
  brokers: string[];
  /** Where they came from, for the screen and the summary. */
  source: 'flags' | '.infra/env' | 'started';
  /** Stops the servers if the demo started them; cached. */
  close(): Promise<void>;
}

async function answer(zk: string, brokers: string[]): Promise<boolean> {
  const [z, k] = await Promise.all([zooKeeperAnswers(zk), kafkaAnswers(brokers)]);
  return z && k;
}

function splitBrokers(list: string): string[] {
  return list.split(',').map((b) => b.trim()).filter(Boolean);
}

/**
 * ZooKeeper and Kafka for the demo: --zk/--brokers (or RINGLEADER_ZK /
 * RINGLEADER_BROKERS) when given, else the servers of `npm run infra -- up`
 * when they answer, else fresh ones started here and stopped by close().
 */
export async function demoServers(o: { zk?: string; brokers?: string[]; freshServers: boolean }, log: Logger): Promise<DemoServers> {
  const nothing = async () => undefined;
  if (!o.freshServers && (o.zk || o.brokers)) {
    if (!o.zk || !o.brokers) throw new CliError('give both --zk and --brokers (or RINGLEADER_ZK and RINGLEADER_BROKERS), or neither');
    if (!(await answer(o.zk, o.brokers))) {
      throw new CliError(`ZooKeeper ${o.zk} / Kafka ${o.brokers.join(',')} do not answer; start them or unset RINGLEADER_ZK / RINGLEADER_BROKERS`);
    }
    return { zk: o.zk, brokers: o.brokers, source: 'flags', close: nothing };
  }
  if (!o.freshServers) {
    const file = join(infraHome(), 'env');
    const known = existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : undefined;
    if (known && (await answer(known.zkConnect, splitBrokers(known.brokers)))) {
      log.info({ zk: known.zkConnect, brokers: known.brokers }, 'using the servers of `npm run infra -- up`');
      return { zk: known.zkConnect, brokers: splitBrokers(known.brokers), source: '.infra/env', close: nothing };
    }
  }
  log.info('starting ZooKeeper and Kafka for the demo (the first run downloads their jars through Maven)');
  // Attached (not detached): a watchdog kills the JVMs if the demo dies in any way.
  const infra = await startInfra({ logger: log });
  return { zk: infra.zkConnectString, brokers: infra.brokers, source: 'started', close: () => infra.close() };
}
