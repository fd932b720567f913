// What every check of a chaos run reads: the input, indexed once (leases and
// commits per range in ZooKeeper order, handlings per message and per range,
// incarnations by key), and the examples the checks collect for people.
import type { HandledRecord } from '../../../poller/handlers/handled-record.js';
import type { ProducedRecord } from '../producer.js';
import type { PlainConsumed } from '../plain-consumer.js';
import { incKey, type FaultEvent, type Incarnation, type SessionExpiry } from '../records.js';
import type { History, LeaseObs, OffsetObs } from '../zk-observer.js';

export interface CheckInput {
  produced: ProducedRecord[];
  handled: HandledRecord[];
  history: History;
  incarnations: Incarnation[];
  faults: FaultEvent[];
  sessionTimeoutMs: number;
  /** Session expiries the pollers logged (records from before they were read: none). */
  sessionExpiries?: SessionExpiry[];
  /** What the plain kafkajs consumer beside the pollers received (runs without one: none). */
  plainConsumed?: PlainConsumed[];
}

/** Up to 10 examples per kind of violation, in the order found. */
export class Examples {
  readonly byKind: Record<string, string[]> = {};

  add(kind: string, text: string): void {
    const list = (this.byKind[kind] ??= []);
    if (list.length < 10) list.push(text);
  }
}

function groupBy<T>(items: T[], keyOf: (item: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const item of items) {
    const list = out.get(keyOf(item));
    if (list) list.push(item);
    else out.set(keyOf(item), [item]);
  }
  return out;
}

export class CheckContext {
  readonly incarnations: Map<string, Incarnation>;
  /** Per range, in creation (czxid) order. */
  readonly leasesByRange: Map<number, LeaseObs[]>;
  /** Per range, in write (mzxid) order. */
  readonly commitsByRange: Map<number, OffsetObs[]>;
  /** Handlings of load messages (id >= 0) per id, in file order. */
  readonly byId: Map<number, HandledRecord[]>;
  /** Handlings per range, by start (then end). */
  readonly byRange: Map<number, HandledRecord[]>;
  /** When the producer's send of each id was acknowledged. */
  readonly ackAt: Map<number, number>;
  readonly examples = new Examples();

  constructor(readonly input: CheckInput) {
    this.incarnations = new Map(input.incarnations.map((i) => [incKey(i.poller, i.inc), i]));
    this.leasesByRange = groupBy(input.history.leases, (l) => l.range);
    for (const list of this.leasesByRange.values()) list.sort((a, b) => (a.czxid < b.czxid ? -1 : 1));
    this.commitsByRange = groupBy(input.history.offsets, (o) => o.range);
    for (const list of this.commitsByRange.values()) list.sort((a, b) => (a.mzxid < b.mzxid ? -1 : 1));
    this.byId = groupBy(input.handled.filter((h) => h.id >= 0), (h) => h.id);
    this.byRange = groupBy(input.handled, (h) => h.range);
    for (const list of this.byRange.values()) list.sort((a, b) => a.start - b.start || a.end - b.end);
    this.ackAt = new Map(input.produced.map((p) => [p.id, p.ackAt]));
  }

  incarnationOf(h: { poller: string; inc: number }): Incarnation | undefined {
    return this.incarnations.get(incKey(h.poller, h.inc));
  }

  /** The lease created last at or before server time t. */
  leaseAt(range: number, t: number): LeaseObs | undefined {
    let best: LeaseObs | undefined;
    for (const l of this.leasesByRange.get(range) ?? []) if (l.ctime <= t) best = l;
    return best;
  }

  /** The lease whose create came last before zxid z. */
  leaseBeforeZxid(range: number, z: bigint): LeaseObs | undefined {
    let best: LeaseObs | undefined;
    for (const l of this.leasesByRange.get(range) ?? []) if (l.czxid < z) best = l;
    return best;
  }

  /** The lease a handling ran under: the range's lease at its start, if it was the handler's poller's. */
  tenureOf(h: HandledRecord): LeaseObs | undefined {
    const l = this.leaseAt(h.range, h.start);
    return l && l.poller === h.poller ? l : undefined;
  }
}
