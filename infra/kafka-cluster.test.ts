import { describe, expect, it } from 'vitest';
import { clusterMembers, lastRaftTransition } from './kafka-cluster.js';

// Lines as Kafka 4.3's RaftManager logs them (shortened in the middle).
const follower = '[2026-12-01 23:22:20,986] INFO [RaftManager id=3] Completed transition to FollowerState(fetchTimeoutMs=2000, epoch=1, leader=2, leaderEndpoints=Endpoints(endpoints={}), votedKey=Optional.empty) from CandidateState(localId=3, epoch=1) (org.apache.kafka.raft.QuorumState)';
const leader = '[2026-12-01 23:22:20,604] INFO [RaftManager id=2] Completed transition to Leader(localVoterNode=VoterNode(voterKey=ReplicaKey(id=2, directoryId=x), listeners=Endpoints(endpoints={})), epoch=4, epochStartOffset=0, highWatermark=Optional.empty) from CandidateState(localId=2, epoch=4) (org.apache.kafka.raft.QuorumState)';
const resigned = '[2026-12-01 23:30:00,000] INFO [RaftManager id=2] Completed transition to ResignedState(localId=2, epoch=4, voters=[1, 2, 3]) from Leader(epoch=4) (org.apache.kafka.raft.QuorumState)';

describe('lastRaftTransition', () => {
  it('reads the state and epoch of the last transition a node logged', () => {
    expect(lastRaftTransition(`${follower}\n`)).toEqual({ state: 'Follower', epoch: 1 });
    expect(lastRaftTransition(`${follower}\nother line\n${leader}\n`)).toEqual({ state: 'Leader', epoch: 4 });
    expect(lastRaftTransition(`${leader}\n${resigned}\n`)).toEqual({ state: 'Resigned', epoch: 4 });
    expect(lastRaftTransition('no raft here\n')).toBeUndefined();
  });
});

describe('clusterMembers', () => {
  it('numbers nodes from 1 with their client and controller ports', () => {
    expect(clusterMembers(3, [9092, 9093, 9094], [9095, 9096, 9097])).toEqual([
      { id: 1, port: 9092, controllerPort: 9095 },
      { id: 2, port: 9093, controllerPort: 9096 },
      { id: 3, port: 9094, controllerPort: 9097 },
    ]);
  });

  it('refuses too few ports and a port used twice', () => {
    expect(() => clusterMembers(3, [9092, 9093], [9095, 9096, 9097])).toThrow(/3 client and 3 controller ports/);
    expect(() => clusterMembers(2, [9092, 9093], [9093, 9096])).toThrow(/port 9093/);
  });
});
