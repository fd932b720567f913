import { Producer, ProduceAcks, stringSerializers } from '@platformatic/kafka';
import { rangeOf } from '../../ring/index.js';
import type { LoadSender } from '../load-producer.js';
import { platformaticBaseOptions, type PlatformaticConnectOptions } from './client-options.js';
import { platformaticDescribeTopic } from './admin.js';

/**
 * A LoadSender on @platformatic/kafka: each key to partition
 * `rangeOf(key, R)` (what the kafkajs range partitioner does), acks from
 * every in-sync replica, no compression.
 */
export async function platformaticLoadSender(connection: PlatformaticConnectOptions, topic: string): Promise<LoadSender> {
  const partitions = await platformaticDescribeTopic(connection, topic);
  const producer = new Producer({ ...platformaticBaseOptions(connection), serializers: stringSerializers, acks: ProduceAcks.ALL });
  return {
    send: async (messages) => {
      await producer.send({ messages: messages.map((m) => ({ topic, key: m.key, value: m.value, partition: rangeOf(m.key, partitions) })) });
    },
    close: () => producer.close(),
  };
}
