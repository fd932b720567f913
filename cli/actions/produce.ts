import type { Logger } from 'pino';
import { produceLoadToGroup, type KafkaClientName, type LoadOptions, type ProduceResult } from '../../poller/index.js';
import { cliKafka, cliKafkaClients } from './kafka.js';
import { kafkaSecurityFrom, zkSecurity, type KafkaAuthFlags, type ZkAuthFlags } from '../secrets.js';
import { onStopSignals } from '../signals.js';

export interface ProduceActionOptions extends KafkaAuthFlags, ZkAuthFlags {
  brokers: string[];
  /** Required unless `group` is given (then the group's topic). */
  topic?: string;
  /** Follow this group's range count (createRingProducer); needs `zk`. */
  group?: string;
  zk?: string;
  zkRoot?: string;
  count: number;
  keys: number;
  rate?: number;
  size: number;
  kafkaClient: KafkaClientName;
}

/** `ringleader produce`: keyed load with the range partitioner (static, or following `--group`); progress on a TTY. */
export async function runProduce(o: ProduceActionOptions, log: Logger): Promise<ProduceResult & { topic: string; ranges?: number }> {
  const abort = new AbortController();
  const remove = onStopSignals(() => abort.abort(), log);
  const tty = process.stderr.isTTY;
  const load = (topic: string): LoadOptions => ({
    topic,
    count: o.count,
    keys: o.keys,
    size: o.size,
    ...(o.rate !== undefined ? { rate: o.rate } : {}),
    signal: abort.signal,
    logger: log,
    onProgress: (p) => {
      if (tty) process.stderr.write(`\r  sent ${p.sent}/${p.total}  ${Math.round(p.ratePerSec)} msg/s   `);
      else log.info(p, 'producing');
    },
  });
  try {
    if (o.group !== undefined) return await produceForGroup(o, o.group, log, load);
    const topic = o.topic!;
    const kafka = await cliKafkaClients(o.kafkaClient, o.brokers, log, undefined, kafkaSecurityFrom(o));
    await kafka.describeTopic(topic); // a missing topic is a clear error, not a retry loop
    const result = await kafka.produce(load(topic));
    return { ...result, topic };
  } finally {
    if (tty) process.stderr.write('\n');
    remove();
  }
}

/** The load through a ring producer: the group's topic and range count, followed while it runs. */
function produceForGroup(o: ProduceActionOptions, group: string, log: Logger, load: (topic: string) => LoadOptions): Promise<ProduceResult & { topic: string; ranges: number }> {
  return produceLoadToGroup(
    {
      zk: o.zk!,
      group,
      ...(o.zkRoot !== undefined ? { zkRoot: o.zkRoot } : {}),
      zkSession: zkSecurity(o),
      kafka: cliKafka(o.brokers, log, 'ringleader-produce', kafkaSecurityFrom(o)),
      ...(o.topic !== undefined ? { topic: o.topic } : {}),
      logger: log,
    },
    load,
  );
}
