// Public surface of coordinator/: the ZooKeeper control plane.
export { ZkSession, ConnectTimeoutError } from './zk-session.js';
export type { SessionState, ZkSessionOptions, Op } from './zk-session.js';
export { ZkError, ZK, isZkCode } from './zk-errors.js';
export { GroupPaths, validatePollerId } from './group-paths.js';
export {
  encode,
  parseConfig,
  parseMember,
  parseProducer,
  parseResizeMarker,
  parseAssignmentHeader,
  parseMemberAssignment,
  encodeMemberAssignment,
  parseLease,
  parseOffset,
  memberAssignmentWorstCaseBytes,
  ZNODE_MAX_BYTES,
  MAX_POLLER_ID_LENGTH,
  MAX_REASON_LENGTH,
  GROUP_ZNODE_BUDGET_BYTES,
  MAX_GROUP_RANGES,
} from './znodes.js';
export { UNHEALTHY_REASONS } from './znodes.js';
export type { Parsed, GroupConfig, SplitInfo, ResizeMarker, ProducerInfo, MemberState, MemberInfo, Unhealthy, UnhealthyReason, AssignmentRecord, AssignmentHeader, MemberAssignmentNode, RangesAt, LeaseRecord, OffsetRecord } from './znodes.js';
export { offsetFromString, offsetToString } from './offsets.js';
export type { Offset } from './offsets.js';
export { retry, backoffDelay, sleep, RetryAbortedError } from './retry.js';
export type { RetryOptions, BackoffOptions } from './retry.js';
export { CoalescingRunner } from './coalescing-runner.js';
export { AclError, assertGroupAcl, digestId, groupAcls, parentAcls, parseCredentials, zkSecurityOptions, weakerEntries, permsOf } from './acl.js';
export type { ZkCredentials } from './acl.js';
export { ensureLayout, createGroupConfig, readGroupConfig, checkConfigMatches, ConfigError } from './group-config.js';
export { Membership, DuplicateMemberError } from './membership.js';
export { ProducerRegistration, DuplicateProducerError } from './producer-registration.js';
export { ConfigFollower } from './config-follower.js';
export { runCutover, ResizeError } from './resize-cutover.js';
export type { CutoverOptions, CutoverResult } from './resize-cutover.js';
export { readParticipants } from './resize-participants.js';
export { ResizeMarkerWatch } from './resize-marker-watch.js';
export type { MarkerSeen } from './resize-marker-watch.js';
export type { Participant } from './resize-participants.js';
export { splitProgress, parentOf, waitForCommitted, committedUpTo } from './split-progress.js';
export type { ParentProgress } from './split-progress.js';
export { waitForDeletion } from './deletion-wait.js';
export { readMembers } from './member-reader.js';
export type { MemberList, Problem } from './member-reader.js';
export { LeaderLatch } from './leader-latch.js';
export { Coordinator } from './coordinator.js';
export type { CoordinatorOptions, PublishedAssignment } from './coordinator.js';
export { readAssignment } from './assignment-reader.js';
export type { AssignmentRead } from './assignment-reader.js';
export { AssignmentSubscription } from './assignment-subscription.js';
export type { MemberAssignment } from './assignment-subscription.js';
export { encodeRangeSet, decodeRangeSet, encodeRuns } from './range-set-codec.js';
export { rangesInForce } from './assignment-view.js';
export { rangesByOwner } from './member-assignment-nodes.js';
export { LeaseStore } from './lease-store.js';
export { WriteBatcher } from './write-batcher.js';
export type { Lease, AcquireResult, AcquireHow } from './lease-store.js';
export { OffsetStore, OffsetCorruptError } from './offset-store.js';
export type { CommitResult } from './offset-store.js';
export { readGroupSnapshot, readLeader, readLeaderNode } from './group-snapshot.js';
export type { GroupSnapshot, PollerView, RangeView, EndOffsets, SplitView } from './group-snapshot.js';
export { GroupEventDiffer } from './group-events.js';
export type { GroupEvent } from './group-events.js';
export { GroupWatcher } from './group-watcher.js';
export { statTime } from './stat-time.js';
export { assignable, assignableMembers } from './assignable-members.js';
