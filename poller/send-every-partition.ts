// kafkajs's producer.send() can resolve without having written a partition's
// messages: when a send spans several brokers and one request fails, the
// retry goes only to brokers with no reply yet, so a partition whose leader
// moved to a broker that already replied is never sent again, and its result
// is simply missing. This sends those messages again until every partition
// the messages map to has a result.
import type { Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';

/** Sends again at most this often; kafkajs retries each send itself besides. */
const MAX_ROUNDS = 5;

/** What `producer.send` needs besides the messages, which must each name their partition or go through the producer's partitioner. */
export type SendRecord = Omit<ProducerRecord, 'messages'> & { messages: Message[] };

/**
 * producer.send(), then again with the messages of every partition that got
 * no result, until none is missing; the results of all rounds, one per
 * partition (the first round's base offset first). `partitionOf` says where a
 * message goes (its `partition`, or what the producer's partitioner picks).
 */
export async function sendEveryPartition(
  producer: Pick<Producer, 'send'>,
  record: SendRecord,
  partitionOf: (m: Message) => number | undefined = (m) => m.partition,
): Promise<RecordMetadata[]> {
  const results: RecordMetadata[] = [];
  let pending = record.messages;
  for (let round = 1; ; round++) {
    const meta = await producer.send({ ...record, messages: pending });
    results.push(...meta);
    const answered = new Set(meta.filter((m) => m.topicName === record.topic).map((m) => m.partition));
    const missing = pending.filter((m) => {
      const p = partitionOf(m);
      return p !== undefined && !answered.has(p);
    });
    if (missing.length === 0) return results;
    if (round >= MAX_ROUNDS) {
      throw new Error(`${missing.length} message(s) to partition(s) ${[...new Set(missing.map(partitionOf))].join(',')} of ${record.topic} got no result after ${round} sends`);
    }
    pending = missing;
  }
}
