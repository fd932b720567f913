import { readFileSync } from 'node:fs';

/**
 * True when `pid` is alive and its command line contains `marker` (the
 * folder we started it with). A pid from an old state file may since have
 * been reused by an unrelated process, which we must never signal.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised name: Z = zombie, already dead.
    if (/\) Z /.test(stat)) return false;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

export type StopOutcome = 'not-running' | 'stopped' | 'killed';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after `timeoutMs`; only if the pid is still ours. */
export async function stopOwnedProcess(pid: number, marker: string, timeoutMs = 20_000): Promise<StopOutcome> {
  if (!isOurProcess(pid, marker)) return 'not-running';
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // Exited between the check and the signal.
    }
  };
  signal('SIGTERM');
  // A paused (SIGSTOP) server would keep the SIGTERM pending forever.
  signal('SIGCONT');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, marker)) return 'stopped';
    await sleep(100);
  }
  signal('SIGKILL');
  while (isOurProcess(pid, marker)) await sleep(50);
  return 'killed';
}
