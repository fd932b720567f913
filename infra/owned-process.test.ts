import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isOurProcess, stopOwnedProcess } from './owned-process.js';

function startSleeper(marker: string) {
  // The marker rides in argv the way a JVM's config path does.
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)', marker], { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error('no pid');
  return { child, pid: child.pid };
}

describe('owned processes', () => {
  it('recognises a process by the marker in its command line, and no other', async () => {
    const { child, pid } = startSleeper('/tmp/ringleader-marker-a');
    try {
      expect(isOurProcess(pid, '/tmp/ringleader-marker-a')).toBe(true);
      expect(isOurProcess(pid, '/tmp/ringleader-marker-b')).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses to signal a pid whose command line lacks the marker', async () => {
    const { child, pid } = startSleeper('/tmp/ringleader-marker-c');
    try {
      expect(await stopOwnedProcess(pid, '/tmp/somebody-else')).toBe('not-running');
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('stops its own process, even a paused one', async () => {
    const { child, pid } = startSleeper('/tmp/ringleader-marker-d');
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(pid, 'SIGSTOP');
    const outcome = await stopOwnedProcess(pid, '/tmp/ringleader-marker-d', 5_000);
    await exited;
    expect(outcome).toBe('stopped');
    expect(isOurProcess(pid, '/tmp/ringleader-marker-d')).toBe(false);
  });
});
