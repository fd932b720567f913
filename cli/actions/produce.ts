import type { Logger } from 'pino';
import type { KafkaClientName, ProduceResult } from '../../poller/index.js';
import { cliKafkaClients } from './kafka.js';
import { kafkaSecurityFrom, type KafkaAuthFlags } from '../secrets.js';
import { onStopSignals } from '../signals.js';

export interface ProduceActionOptions extends KafkaAuthFlags {
  brokers: string[];
  topic: string;
  count: number;
  keys: number;
  rate?: number;
  size: number;
  kafkaClient: KafkaClientName;
}

/** `ringleader produce`: keyed load with the range partitioner; progress on a TTY. */
export async function runProduce(o: ProduceActionOptions, log: Logger): Promise<ProduceResult & { topic: string }> {
  const kafka = await cliKafkaClients(o.kafkaClient, o.brokers, log, undefined, kafkaSecurityFrom(o));
  await kafka.describeTopic(o.topic); // a missing topic is a clear error, not a retry loop
  const abort = new AbortController();
  const remove = onStopSignals(() => abort.abort(), log);
  const tty = process.stderr.isTTY;
  try {
    const result = await kafka.produce({
      topic: o.topic,
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
    if (tty) process.stderr.write('\n');
    return { ...result, topic: o.topic };
  } finally {
    remove();
  }
}
