import { AssignerProtocol } from 'kafkajs';
import type { Cluster } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { everyPartitionAssigner } from './every-partition-assigner.js';

describe('everyPartitionAssigner', () => {
  it('gives every member every partition of every topic, in order', async () => {
    const partitions: Record<string, number[]> = { a: [2, 0, 1], b: [0] };
    const cluster = {
      findTopicPartitionMetadata: (topic: string) => partitions[topic]!.map((partitionId) => ({ partitionId })),
    } as unknown as Cluster;
    const assigner = everyPartitionAssigner({ cluster, groupId: 'g', logger: undefined as never });
    const members = [{ memberId: 'old' }, { memberId: 'new' }];
    const out = await assigner.assign({ members, topics: ['a', 'b'] } as never);
    expect(out.map((o) => o.memberId)).toEqual(['old', 'new']);
    for (const { memberAssignment } of out) {
      expect(AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment).toEqual({ a: [0, 1, 2], b: [0] });
    }
    expect(assigner.protocol({ topics: ['a'] }).name).toBe(assigner.name);
  });
});
