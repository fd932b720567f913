// A group's state as `ringleader status --json` reports it, for the
// end-to-end tests of pollers as processes.
import { runCli } from './node-process.js';
import { waitFor } from './wait-for.js';

export interface StatusJson {
  group: string;
  topic: string;
  ranges: number;
  epoch: number;
  leader: string | null;
  pollers: { id: string; state: string; ranges: number[] }[];
  assignment: { range: number; assigned: string | null; owner: string | null; committed: string | null; end?: string; lag?: number }[];
  converged: boolean;
}

/** `ringleader status --json` of a group. */
export async function status(zk: string, group: string, brokers?: string[]): Promise<StatusJson> {
  const r = await runCli(['status', '--zk', zk, '--group', group, '--json', ...(brokers ? ['--brokers', brokers.join(',')] : [])]);
  if (r.code !== 0) throw new Error(`status exited ${r.code}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as StatusJson;
}

/** Waits until the group is converged with exactly `ids` active, each holding at least one range. */
export function converged(zk: string, group: string, ids: string[], timeoutMs = 30_000): Promise<StatusJson> {
  return waitFor(
    `group ${group} converged on ${ids.join(',')}`,
    async () => {
      const s = await status(zk, group);
      const active = s.pollers.filter((p) => p.state === 'active').map((p) => p.id).sort();
      const ok =
        s.converged &&
        JSON.stringify(active) === JSON.stringify([...ids].sort()) &&
        s.assignment.every((a) => a.owner !== null && ids.includes(a.owner)) &&
        ids.every((id) => s.assignment.some((a) => a.owner === id));
      return ok ? s : null;
    },
    { timeoutMs, everyMs: 200 },
  );
}
