import { AssignerProtocol } from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

const NAME = 'RingleaderEveryPartition';

/**
 * Gives every member every partition. The group has one member (its own
 * poller); a restarted poller may briefly share it with its dead predecessor,
 * and both then see everything: ownership is decided by ZooKeeper leases, not
 * by Kafka, and positions live in ZooKeeper, not in the consumer group.
 */
export const everyPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: NAME,
  version: 0,
  async assign({ members, topics }) {
    const assignment: Record<string, number[]> = {};
    for (const topic of topics) {
      assignment[topic] = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
    }
    const memberAssignment = AssignerProtocol.MemberAssignment.encode({
      version: 0,
      assignment,
      userData: Buffer.alloc(0),
    });
    return members.map(({ memberId }) => ({ memberId, memberAssignment }));
  },
  protocol({ topics }) {
    return {
      name: NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
