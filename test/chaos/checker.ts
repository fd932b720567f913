// The checks of a chaos run over what was produced, what the pollers' handler
// recorded, and the history observed in ZooKeeper, one file per check under
// checks/. Pure: no I/O.
import { brokerStalls } from './checks/broker-kill-pause.js';
import { checkCommits } from './checks/commits.js';
import { CheckContext, type CheckInput } from './checks/context.js';
import { checkDuplicates } from './checks/duplicates.js';
import { checkExclusivity } from './checks/exclusivity.js';
import { handoffPauses } from './checks/handoffs.js';
import { checkLoss } from './checks/loss.js';
import { checkOrder } from './checks/order.js';
import { checkKeyOrder } from './checks/key-order.js';
import { coordinatorRecoveries, pollerRecoveries } from './checks/recovery.js';
import { partitionRecoveries } from './checks/partition-recovery.js';
import { countGracefulDuplicates } from './checks/graceful-duplicates.js';
import { countSessionExpiries, type SessionExpiryCounts } from './checks/session-expiries.js';

export type { CheckInput };

export interface Stats {
  n: number;
  p50: number | null;
  max: number | null;
}

export interface CheckResult {
  produced: number;
  handled: number;
  handledUnique: number;
  /** Handled ids the producer has no acknowledgement for (a send that failed after writing). */
  handledUnacked: number;
  lost: number;
  /** Messages handled more than once (`handled - handledUnique` counts the extra handlings). */
  duplicates: number;
  /** Of those, the messages whose every redelivery follows a crash point of an earlier handler, and the others. */
  duplicatesExplained: number;
  duplicatesUnexplained: number;
  /** Messages the producer wrote to the topic twice (one id at two offsets); each copy counts as a record of its own above. */
  producerDuplicates: number;
  /** Messages handled again after a graceful stop (drain, SIGTERM) of a poller whose session lived (must be 0). */
  gracefulDuplicates: number;
  sessionExpiries: SessionExpiryCounts;
  orderViolations: number;
  /** A key's message first handled before the one the producer sent before it had been (across partitions: a resize's barrier). */
  keyOrderViolations: number;
  overlapViolations: number;
  /** Messages a zombie started after SIGCONT in a tenure it had lost (self-fencing). */
  zombieStarts: number;
  zombieCommits: number;
  offsetRegressions: number;
  recovery: {
    /** SIGKILL of a poller -> the last of its ranges handled again. */
    killMs: Stats;
    /** The same, leaving out kills within a session timeout of a ZooKeeper leader kill. */
    killMsAwayFromZkElection: Stats;
    /**
     * The same, leaving out kills that overlap another failure (any fault but
     * a slow handler whose influence window meets the kill's, see
     * `influenceMs`): there recovery is bounded by that failure too (a
     * ZooKeeper election restarts session expiry, a dead leader must expire
     * first, a frozen poller may be given the ranges), not by the session
     * timeout alone.
     */
    killMsIsolated: Stats;
    /** SIGSTOP of a poller -> the last of its ranges handled again by another poller. */
    zombieMs: Stats;
    zombieMsAwayFromZkElection: Stats;
    /** SIGKILL of the leading coordinator -> next assignment epoch. */
    coordinatorEpochMs: Stats;
    /** SIGKILL of the leading coordinator -> another leader elected. */
    coordinatorLeaderMs: Stats;
  };
  /**
   * zk-partition held past the session timeout: cut -> the last of the
   * poller's ranges handled by another poller; Undisturbed: no other failure
   * (slow handlers aside) whose influence meets the span from the cut to the
   * recovery (checks/partition-recovery.ts).
   */
  zkPartitionRecoveryMs: Stats;
  zkPartitionRecoveryMsUndisturbed: Stats;
  /** kafka-partition held past the fetch-stall timeout: the same. */
  kafkaPartitionRecoveryMs: Stats;
  kafkaPartitionRecoveryMsUndisturbed: Stats;
  /** Planned handoffs (scale out/in, zombies coming back): end of the old owner's last message to the new owner's first, beyond message availability. */
  handoffPauseMs: Stats;
  /**
   * The same, leaving out handoffs during a ZooKeeper node kill, a coordinator
   * kill or a slow-handler spell, handoffs whose new owner was frozen while
   * taking over, and handoffs that were redirected: the range was first
   * assigned to a third poller that failed (frozen or killed) before it
   * could take it.
   */
  handoffPauseMsIsolated: Stats;
  /** Per Kafka broker kill: the longest pause of any range's handling around it. */
  brokerKillPauseMs: Stats;
  /** Per Kafka broker kill: the longest gap of a plain kafkajs consumer reading the topic in the same run (leader failover as a consumer sees it). */
  plainConsumerFailoverMs: Stats;
  /** The same two per broker freeze (SIGSTOP past the request timeout). */
  brokerFreezePauseMs: Stats;
  plainConsumerFreezeMs: Stats;
  /** Each recovery or handoff over its target, with the faults that overlapped it: for people. */
  outliers: string[];
  /** Up to 10 examples per must-be-0 check, for people. */
  examples: Record<string, string[]>;
}

export function stats(values: number[]): Stats {
  if (values.length === 0) return { n: 0, p50: null, max: null };
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: s[Math.floor((s.length - 1) / 2)] as number, max: s[s.length - 1] as number };
}

export function check(input: CheckInput): CheckResult {
  const cx = new CheckContext(input);
  // In this order, so that the examples come in the order of the report.
  const loss = checkLoss(cx);
  const sessionExpiries = countSessionExpiries(cx);
  const dup = checkDuplicates(cx);
  const gracefulDuplicates = countGracefulDuplicates(cx);
  const orderViolations = checkOrder(cx);
  const keyOrderViolations = checkKeyOrder(cx);
  const exclusive = checkExclusivity(cx);
  const commits = checkCommits(cx);
  const pollers = pollerRecoveries(cx);
  const coordinators = coordinatorRecoveries(cx);
  const handoffs = handoffPauses(cx);
  const brokers = brokerStalls(cx);
  const partitions = partitionRecoveries(cx);
  return {
    produced: input.produced.length,
    handled: input.handled.length,
    handledUnique: cx.byId.size,
    handledUnacked: loss.handledUnacked,
    lost: loss.lost,
    duplicates: dup.duplicates,
    duplicatesExplained: dup.explained,
    duplicatesUnexplained: dup.unexplained,
    producerDuplicates: dup.writtenTwice,
    gracefulDuplicates,
    sessionExpiries,
    orderViolations,
    keyOrderViolations,
    overlapViolations: exclusive.overlapViolations,
    zombieStarts: exclusive.zombieStarts,
    zombieCommits: commits.zombieCommits,
    offsetRegressions: commits.offsetRegressions,
    recovery: {
      killMs: stats(pollers.killMs),
      killMsAwayFromZkElection: stats(pollers.killMsAwayFromZkElection),
      killMsIsolated: stats(pollers.killMsIsolated),
      zombieMs: stats(pollers.zombieMs),
      zombieMsAwayFromZkElection: stats(pollers.zombieMsAwayFromZkElection),
      coordinatorEpochMs: stats(coordinators.epochMs),
      coordinatorLeaderMs: stats(coordinators.leaderMs),
    },
    zkPartitionRecoveryMs: stats(partitions.zkMs),
    zkPartitionRecoveryMsUndisturbed: stats(partitions.zkMsUndisturbed),
    kafkaPartitionRecoveryMs: stats(partitions.kafkaMs),
    kafkaPartitionRecoveryMsUndisturbed: stats(partitions.kafkaMsUndisturbed),
    handoffPauseMs: stats(handoffs.pauses),
    handoffPauseMsIsolated: stats(handoffs.isolated),
    brokerKillPauseMs: stats(brokers.killPauseMs),
    plainConsumerFailoverMs: stats(brokers.plainKillMs),
    brokerFreezePauseMs: stats(brokers.pausePauseMs),
    plainConsumerFreezeMs: stats(brokers.plainPauseMs),
    outliers: [...pollers.outliers, ...partitions.outliers, ...handoffs.outliers],
    examples: cx.examples.byKind,
  };
}

/** The fields that must be 0. */
export const MUST_BE_ZERO = [
  'lost',
  'duplicatesUnexplained',
  'gracefulDuplicates',
  'orderViolations',
  'keyOrderViolations',
  'overlapViolations',
  'zombieStarts',
  'zombieCommits',
  'offsetRegressions',
] as const;
