/**
 * Measurements bench/scale.ts takes from the ZooKeeper side: the write rate
 * (zxid growth on the leader), the largest znode of the group, and the
 * servers' peak memory and CPU time.
 */
import { sleep, type ZkSession } from '../coordinator/index.js';
import { fourLetterWord, type ZooKeeperCluster, type ZooKeeperNode } from '../infra/index.js';
import { cpuSecondsOf, parseZxid, peakRssOf, transactionsBetween, type Zxid } from './scale-server-stats.js';

async function zxidOf(node: ZooKeeperNode): Promise<Zxid> {
  const z = parseZxid(await fourLetterWord(node.host, node.clientPort, 'srvr'));
  if (!z) throw new Error(`no Zxid in the srvr reply of zookeeper-${node.id}`);
  return z;
}

/** Transactions a second the ensemble commits, over `ms` (null if its leader changed meanwhile). */
export async function writesPerSecond(cluster: ZooKeeperCluster, ms: number): Promise<number | null> {
  const leader = await cluster.leader();
  const from = await zxidOf(leader);
  const t0 = performance.now();
  await sleep(ms);
  const to = await zxidOf(leader);
  const writes = transactionsBetween(from, to);
  return writes === undefined ? null : writes / ((performance.now() - t0) / 1000);
}

export interface LargestZnode {
  bytes: number;
  path: string;
  /** Znodes walked. */
  znodes: number;
}

/** Walks every znode under `base` (exists + getChildren, many at once) for the largest dataLength. */
export async function largestZnode(zk: ZkSession, base: string, parallel = 64): Promise<LargestZnode> {
  const queue = [base];
  const best: LargestZnode = { bytes: -1, path: base, znodes: 0 };
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (active < parallel && queue.length) {
        const path = queue.pop()!;
        active++;
        visit(path).then(() => {
          active--;
          if (active === 0 && queue.length === 0) resolve();
          else pump();
        }, reject);
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    const visit = async (path: string) => {
      const stat = await zk.exists(path);
      if (!stat) return;
      best.znodes++;
      if (stat.dataLength > best.bytes) Object.assign(best, { bytes: stat.dataLength, path });
      if (stat.numChildren > 0) for (const c of await zk.getChildren(path).catch(() => [])) queue.push(`${path}/${c}`);
    };
    pump();
  });
  return best;
}

export interface ServerUsage {
  /** Largest VmHWM of the servers. */
  peakRssBytes: number | null;
  /** CPU seconds of all servers together since `start()`. */
  cpuSeconds: number;
  /** cpuSeconds over the wall time since `start()`. */
  averageCores: number;
}

/** CPU time of the server JVMs from now on, and their peak RSS. */
export class ServerUsageMeter {
  private readonly since = performance.now();
  private readonly cpuAtStart: Map<number, number>;

  constructor(private readonly pids: number[]) {
    this.cpuAtStart = new Map(pids.map((p) => [p, cpuSecondsOf(p) ?? 0]));
  }

  /** Read before the servers stop (a gone process has no /proc entry). */
  read(): ServerUsage {
    let cpu = 0;
    let peak: number | null = null;
    for (const pid of this.pids) {
      cpu += (cpuSecondsOf(pid) ?? this.cpuAtStart.get(pid)!) - this.cpuAtStart.get(pid)!;
      const rss = peakRssOf(pid);
      if (rss !== undefined) peak = Math.max(peak ?? 0, rss);
    }
    const wall = (performance.now() - this.since) / 1000;
    return { peakRssBytes: peak, cpuSeconds: Math.round(cpu * 100) / 100, averageCores: Math.round((cpu / wall) * 1000) / 1000 };
  }
}
