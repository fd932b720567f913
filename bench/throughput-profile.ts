/**
 * CPU profiles for bench/throughput.ts --profile: records the in-process
 * poller with the inspector (same format as `node --cpu-prof`), and
 * summarises any .cpuprofile as the functions with the most self time.
 */
import { Session } from 'node:inspector/promises';
import { readFileSync, writeFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

/** Runs `fn` while the V8 sampling profiler records this process; writes `file`. */
export async function profiled<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

export interface HotFunction {
  fn: string;
  where: string;
  selfPct: number;
}

/** Self time per function (summed over call sites), highest first. */
export function topSelfTime(file: string, limit = 15): { totalMs: number; top: HotFunction[]; byPackage: Record<string, number> } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Leave out the profiler's own work (Profiler.stop serialising the profile).
  const skip = new Set<number>();
  const mark = (id: number): void => {
    skip.add(id);
    for (const c of byId.get(id)?.children ?? []) mark(c);
  };
  for (const n of p.nodes) if (n.callFrame.url === 'node:inspector' && !skip.has(n.id)) mark(n.id);
  const self = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    for (let i = 0; i < p.samples.length; i++) {
      const id = p.samples[i]!;
      self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
    }
  }
  const perFn = new Map<string, number>();
  const perPkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n || skip.has(id)) continue;
    total += us;
    const url = n.callFrame.url.replace(/^file:\/\//, '');
    const where = url ? `${shortPath(url)}:${n.callFrame.lineNumber + 1}` : '';
    const key = `${n.callFrame.functionName || '(anonymous)'}\t${where}`;
    perFn.set(key, (perFn.get(key) ?? 0) + us);
    const pkg = packageOf(url, n.callFrame.functionName);
    perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + us);
  }
  const top = [...perFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([k, us]) => {
      const [fn, where] = k.split('\t') as [string, string];
      return { fn, where, selfPct: Math.round((us / total) * 1000) / 10 };
    });
  const byPackage: Record<string, number> = {};
  for (const [k, us] of [...perPkg.entries()].sort((a, b) => b[1] - a[1])) byPackage[k] = Math.round((us / total) * 1000) / 10;
  return { totalMs: Math.round(total / 1000), top, byPackage };
}

function shortPath(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const dist = url.lastIndexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url;
}

function packageOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node';
  const dist = /\/dist\/([^/]+)\//.exec(url);
  return dist ? `ringleader/${dist[1]}` : 'other';
}

export function formatTop(title: string, s: ReturnType<typeof topSelfTime>): string {
  const lines = [`${title}: ${s.totalMs} ms sampled; by package ${JSON.stringify(s.byPackage)}`];
  for (const h of s.top) lines.push(`  ${h.selfPct.toFixed(1).padStart(5)}%  ${h.fn}  ${h.where}`);
  return lines.join('\n');
}
