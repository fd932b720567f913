// vitest globalSetup for the `integration` project: find or start real
// ZooKeeper and Kafka, and tell the tests where they are.
// RINGLEADER_TEST_SERVERS picks who provides them: `jvm` (default: local JVM
// processes through infra/, or servers already running) or `containers` (a
// ZooKeeper ensemble and Kafka as containers, test/support/container-servers.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import pretty from 'pino-pretty';
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { parseEnvFile, type InfraEndpoints } from '../../infra/env-file.js';
import { startInfra, type Infra } from '../../infra/infra.js';
import { infraHome } from '../../infra/paths.js';
import { kafkaAnswers, zooKeeperAnswers } from '../../infra/readiness.js';
import { startContainerServers, type ContainerServers } from './container-servers.js';

// Typed inject('zkConnect') / inject('brokers') in tests.
declare module 'vitest' {
  export interface ProvidedContext {
    /** ZooKeeper connect string. */
    zkConnect: string;
    /** Comma-separated broker list. */
    brokers: string;
  }
}

const logger = pino(
  { level: process.env['LOG_LEVEL'] ?? 'info' },
  pretty({ destination: 2, sync: true, singleLine: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }),
).child({ component: 'global-setup' });

async function answer(e: InfraEndpoints): Promise<boolean> {
  const [zk, kafka] = await Promise.all([zooKeeperAnswers(e.zkConnect), kafkaAnswers(e.brokers.split(','))]);
  return zk && kafka;
}

function fromEnvFile(): InfraEndpoints | undefined {
  const file = join(infraHome(), 'env');
  return existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : undefined;
}

function serverProvider(): 'jvm' | 'containers' {
  const value = process.env['RINGLEADER_TEST_SERVERS'] ?? 'jvm';
  if (value !== 'jvm' && value !== 'containers') {
    throw new Error(`RINGLEADER_TEST_SERVERS=${value}: use jvm (local JVM processes, the default) or containers`);
  }
  return value;
}

function zkNodesForContainers(): number {
  const value = process.env['RINGLEADER_TEST_ZK_NODES'] ?? '3';
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 7) throw new Error(`RINGLEADER_TEST_ZK_NODES=${value}: use a whole number from 1 to 7`);
  return n;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let started: Infra | undefined;
  let containers: ContainerServers | undefined;
  let endpoints: InfraEndpoints;

  const zk = process.env['RINGLEADER_ZK'];
  const brokers = process.env['RINGLEADER_BROKERS'];
  const fileEndpoints = fromEnvFile();
  if (serverProvider() === 'containers') {
    const zkNodes = zkNodesForContainers();
    logger.info({ zkNodes }, 'RINGLEADER_TEST_SERVERS=containers: starting ZooKeeper and Kafka containers for this run');
    const base = process.env['RINGLEADER_IMAGE_BASE'];
    containers = await startContainerServers({ zkNodes, logger, ...(base ? { base } : {}) });
    endpoints = { zkConnect: containers.zkConnect, brokers: containers.brokers };
  } else if (zk && brokers) {
    endpoints = { zkConnect: zk, brokers };
    if (!(await answer(endpoints))) {
      throw new Error(`RINGLEADER_ZK=${zk} / RINGLEADER_BROKERS=${brokers} do not answer; start them or unset the variables`);
    }
    logger.info(endpoints, 'using servers from RINGLEADER_ZK / RINGLEADER_BROKERS');
  } else if (fileEndpoints && (await answer(fileEndpoints))) {
    endpoints = fileEndpoints;
    logger.info(endpoints, 'using servers from .infra/env (npm run infra -- up)');
  } else {
    logger.info('no running servers found; starting ZooKeeper and Kafka for this run');
    started = await startInfra({ logger });
    endpoints = { zkConnect: started.zkConnectString, brokers: started.kafka.bootstrap };
  }

  process.env['RINGLEADER_ZK'] = endpoints.zkConnect;
  process.env['RINGLEADER_BROKERS'] = endpoints.brokers;
  project.provide('zkConnect', endpoints.zkConnect);
  project.provide('brokers', endpoints.brokers);

  return async () => {
    if (containers) {
      await containers.close();
      logger.info('stopped the containers started for this run');
    }
    if (started) {
      await started.close();
      logger.info('stopped the servers started for this run');
    }
  };
}
