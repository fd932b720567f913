// One observer per ZooKeeper server, each connected to that server only. A
// lone observer is blind while its server is frozen or down (until its
// client moves on, seconds later), and may miss a lease taken and given
// back meanwhile; the run faults one ZooKeeper node at a time, so at least
// two of these see everything, and the merged history is complete.
import { ZkObserver, type History, type LeaseObs } from './zk-observer.js';

export class ObserverSet {
  private readonly observers: ZkObserver[];

  /** `servers`: one `host:port` per ZooKeeper node. */
  constructor(servers: string[], group: string, ranges: number) {
    this.observers = servers.map((s) => new ZkObserver(s, group, ranges));
  }

  async start(): Promise<void> {
    await Promise.all(this.observers.map((o) => o.start()));
  }

  async close(): Promise<void> {
    await Promise.all(this.observers.map((o) => o.close()));
  }

  /** The highest committed offset of each range any observer has seen. */
  committed(): Map<number, bigint> {
    const out = new Map<number, bigint>();
    for (const o of this.observers) {
      for (const [r, off] of o.committed()) if (off > (out.get(r) ?? -1n)) out.set(r, off);
    }
    return out;
  }

  get history(): History {
    return mergeHistories(this.observers.map((o) => o.history));
  }
}

/**
 * The union of what several observers saw: a lease by its range and czxid
 * (gone when the first one saw it gone), an offset write by its range and
 * mzxid (one multi creates several leases, or commits several ranges, in
 * one zxid), an epoch by its number, and leader changes in time order.
 */
export function mergeHistories(histories: History[]): History {
  const leases = new Map<string, LeaseObs>();
  for (const h of histories) {
    for (const l of h.leases) {
      const key = `${l.range}:${l.czxid}`;
      const seen = leases.get(key);
      if (!seen) leases.set(key, { ...l });
      else if (l.goneAt !== undefined && (seen.goneAt === undefined || l.goneAt < seen.goneAt)) seen.goneAt = l.goneAt;
    }
  }
  const offsets = new Map(histories.flatMap((h) => h.offsets.map((o) => [`${o.range}:${o.mzxid}`, o] as const)));
  const epochs = new Map(histories.flatMap((h) => h.epochs.map((e) => [e.epoch, e] as const)));
  const leaders: History['leaders'] = [];
  for (const l of histories.flatMap((h) => h.leaders).sort((a, b) => a.at - b.at)) {
    const last = leaders[leaders.length - 1];
    if (!last || last.leader !== l.leader || (last.node ?? null) !== (l.node ?? null)) leaders.push(l);
  }
  return {
    leases: [...leases.values()].sort((a, b) => (a.czxid < b.czxid ? -1 : a.czxid > b.czxid ? 1 : a.range - b.range)),
    offsets: [...offsets.values()].sort((a, b) => (a.mzxid < b.mzxid ? -1 : a.mzxid > b.mzxid ? 1 : a.range - b.range)),
    epochs: [...epochs.values()].sort((a, b) => a.epoch - b.epoch),
    leaders,
  };
}
