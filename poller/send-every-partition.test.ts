import type { Message, ProducerRecord, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { sendEveryPartition } from './send-every-partition.js';

const meta = (partition: number, baseOffset: string): RecordMetadata => ({ topicName: 't', partition, errorCode: 0, baseOffset });
const msgs = (...partitions: number[]): Message[] => partitions.map((partition, i) => ({ key: `k${i}`, value: `v${i}`, partition }));

/** A producer whose send() answers from a script: what kafkajs returned for each call. */
function scripted(...answers: ((sent: Message[]) => RecordMetadata[])[]) {
  const calls: Message[][] = [];
  return {
    calls,
    send: async (r: ProducerRecord) => {
      calls.push(r.messages);
      const answer = answers[calls.length - 1];
      if (!answer) throw new Error('unexpected send');
      return answer(r.messages);
    },
  };
}

describe('sendEveryPartition', () => {
  it('sends once when every partition got a result', async () => {
    const p = scripted(() => [meta(0, '5'), meta(1, '7')]);
    expect(await sendEveryPartition(p, { topic: 't', messages: msgs(0, 1, 0) })).toEqual([meta(0, '5'), meta(1, '7')]);
    expect(p.calls).toHaveLength(1);
  });

  it('sends again the messages of a partition kafkajs returned no result for (its leader moved during a retry)', async () => {
    const p = scripted(() => [meta(0, '5')], () => [meta(1, '9')]);
    const messages = msgs(0, 1, 1, 0);
    expect(await sendEveryPartition(p, { topic: 't', messages })).toEqual([meta(0, '5'), meta(1, '9')]);
    expect(p.calls[1]).toEqual([messages[1], messages[2]]);
  });

  it('uses partitionOf for messages routed by the partitioner', async () => {
    const p = scripted(() => [meta(3, '1')], () => [meta(2, '4')]);
    const messages: Message[] = [{ key: 'a', value: '1' }, { key: 'b', value: '2' }];
    await sendEveryPartition(p, { topic: 't', messages }, (m) => (m.key === 'a' ? 3 : 2));
    expect(p.calls[1]).toEqual([messages[1]]);
  });

  it('gives up with the partitions still missing after 5 sends', async () => {
    const p = scripted(...Array.from({ length: 5 }, () => () => [meta(0, '1')]));
    await expect(sendEveryPartition(p, { topic: 't', messages: msgs(0, 4) })).rejects.toThrow(/partition\(s\) 4 of t got no result after 5 sends/);
  });
});
