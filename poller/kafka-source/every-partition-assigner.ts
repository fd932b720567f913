import { AssignerProtocol } from 'kafkajs';
import type { Cluster, PartitionAssigner } from 'kafkajs';

const NAME = 'RingleaderEveryPartition';

/**
 * Gives every member every partition. The group has one member (its own
 * poller); a restarted poller may briefly share it with its dead predecessor,
 * and both then see everything: ownership is decided by ZooKeeper leases, not
 * by Kafka, and positions live in ZooKeeper, not in the consumer group.
 */
export const everyPartitionAssigner: PartitionAssigner = ({ cluster }) => assignerOn(cluster);

/**
 * The same assigner, also handing its consumer's cluster to `onCluster`:
 * kafkajs keeps a consumer's metadata to itself, and a source whose topic
 * grew must refresh it to be given the new partitions (kafkajs rejoins its
 * group when the metadata shows partitions its assignment lacks).
 */
export function everyPartitionAssignerWith(onCluster: (cluster: Cluster) => void): PartitionAssigner {
  return ({ cluster }) => {
    onCluster(cluster);
    return assignerOn(cluster);
  };
}

const assignerOn = (cluster: Cluster): ReturnType<PartitionAssigner> => ({
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
