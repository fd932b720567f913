import type { Logger } from 'pino';
import { ZkSession, GroupPaths, runCutover, offsetFromString, retry, RetryAbortedError, type CutoverResult } from '../../coordinator/index.js';
import type { EndOffsetsReader, KafkaClientName } from '../../poller/index.js';
import { cliKafkaClients, isTransientKafkaError } from './kafka.js';
import { zkSecurity, kafkaSecurityFrom, type ZkAuthFlags, type KafkaAuthFlags } from '../secrets.js';

export interface ResizeActionOptions extends ZkAuthFlags, KafkaAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  brokers: string[];
  ranges: number;
  timeout: number;
  kafkaClient: KafkaClientName;
}

export interface ResizeOutcome extends CutoverResult {
  group: string;
  /** Topics that got new partitions (empty when an earlier attempt had added them). */
  grown: string[];
  tookMs: number;
}

/**
 * `ringleader resize`: adds the Kafka partitions of the new ranges (to the
 * topic and its .dlq), then runs the cut-over (coordinator/resize-cutover.ts).
 * A cut-over that fails leaves the group's range count as it was; the added
 * partitions stay (Kafka cannot remove them) and get nothing until a resize
 * succeeds.
 */
export async function runResize(o: ResizeActionOptions, log: Logger, onWaiting?: (w: { paused: string[]; waitingFor: string[] }) => void): Promise<ResizeOutcome> {
  const started = Date.now();
  const zk = new ZkSession({ connect: o.zk, connectTimeoutMs: o.connectTimeout, logger: log, ...zkSecurity(o) });
  await zk.start();
  try {
    const paths = new GroupPaths(o.group, o.zkRoot);
    const kafka = await cliKafkaClients(o.kafkaClient, o.brokers, log, undefined, kafkaSecurityFrom(o));
    const grown: string[] = [];
    // Connected before the producers pause: the end offsets are read while they wait.
    const readers: EndOffsetsReader[] = [];
    // A broker that is down (killed, restarting, not yet replaced as leader
    // or controller) is waited for until --timeout, like a producer that has
    // not paused yet; anything else fails at once.
    const deadline = started + o.timeout;
    const kafkaStep = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
      retry(fn, {
        initialMs: 200,
        maxMs: 2_000,
        retriable: isTransientKafkaError,
        while: () => Date.now() < deadline,
        onRetry: (err, attempt) => log.warn({ err, attempt }, `${what}: Kafka did not answer; trying again until the timeout`),
      }).catch((err: unknown) => {
        throw err instanceof RetryAbortedError ? err.lastError : err;
      });
    try {
      const result = await runCutover({
        zk,
        paths,
        to: o.ranges,
        timeoutMs: o.timeout,
        logger: log,
        ...(onWaiting ? { onWaiting } : {}),
        prepare: async ({ topic }) => {
          await kafkaStep('adding partitions', async () => grown.push(...(await kafka.growTopics({ topic, partitions: o.ranges, logger: log }))));
          readers.push(await kafkaStep('connecting to read end offsets', () => kafka.openEndOffsets(topic)));
        },
        endOffsets: async (from) => {
          const ends = await kafkaStep('reading end offsets', () => readers[0]!.read());
          return Array.from({ length: from }, (_, p) => {
            const end = ends.get(p);
            if (end === undefined) throw new Error(`Kafka gave no end offset for partition ${p}`);
            return offsetFromString(end);
          });
        },
      });
      return { group: o.group, grown, ...result, tookMs: Date.now() - started };
    } finally {
      await Promise.all(readers.map((r) => r.close().catch(() => undefined)));
    }
  } finally {
    await zk.close();
  }
}
