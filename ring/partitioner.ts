import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';
import { rangeOf } from './range.js';

/**
 * A kafkajs partitioner (`createPartitioner` option of `kafka.producer()`)
 * that sends a keyed message to partition `rangeOf(key, partitionCount)`, so
 * the poller owning that range sees it. Keyless messages carry no ordering
 * promise and are spread round-robin, preferring partitions that have a
 * leader, like kafkajs's own default partitioner.
 */
export function createRangePartitioner(): ReturnType<ICustomPartitioner> {
  let counter = 0;
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    const count = partitionMetadata.length;
    if (count === 0) throw new Error(`topic ${topic} has no partition metadata`);
    const key = message.key;
    if (key !== null && key !== undefined) return rangeOf(key, count);

    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    const pick = pool[counter % pool.length]!;
    counter = (counter + 1) % 0x7fff_ffff;
    return pick.partitionId;
  };
}

/** Same thing typed as kafkajs's factory, for `createPartitioner: rangePartitioner`. */
export const rangePartitioner: ICustomPartitioner = createRangePartitioner;
