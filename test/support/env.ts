// Where the integration servers are, for tests, benchmarks and chaos runs.
// Plain Node (no vitest import) so dist/test/support can be used outside vitest.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvFile, type InfraEndpoints } from '../../infra/env-file.js';
import { infraHome } from '../../infra/paths.js';

/**
 * RINGLEADER_ZK / RINGLEADER_BROKERS (set by the vitest global setup, or by
 * hand), else what `npm run infra -- up` wrote to .infra/env.
 */
export function endpoints(): InfraEndpoints {
  const zkConnect = process.env['RINGLEADER_ZK'];
  const brokerList = process.env['RINGLEADER_BROKERS'];
  if (zkConnect && brokerList) return { zkConnect, brokers: brokerList };
  const file = join(infraHome(), 'env');
  const fromFile = existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : undefined;
  if (fromFile) return fromFile;
  throw new Error('no ZooKeeper/Kafka known: set RINGLEADER_ZK and RINGLEADER_BROKERS, or run `npm run infra -- up`');
}

/** ZooKeeper connect string, e.g. "127.0.0.1:2181". */
export function zkConnect(): string {
  return endpoints().zkConnect;
}

/** Broker list for kafkajs, e.g. ["127.0.0.1:9092"]. */
export function brokers(): string[] {
  return endpoints().brokers.split(',').map((b) => b.trim()).filter((b) => b !== '');
}

/**
 * A name no other test run uses, valid as a Kafka topic, a consumer group and
 * a znode: `${prefix}-<time base36>-<8 hex>`.
 */
export function randomName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
