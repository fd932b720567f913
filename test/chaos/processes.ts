// Child processes of a chaos run: pollers and coordinators of the `ringleader`
// CLI, each tied to us by a watchdog shell so that none outlives the run even
// when the run itself is SIGKILLed, plus one-shot CLI commands.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ControlledChild } from '../../infra/child-process.js';

export type { Exit } from '../../infra/child-process.js';

/** dist/cli/main.js, next to dist/test/chaos/. */
export const CLI_JS = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
/** dist/test/chaos/recorder-handler.js. */
export const RECORDER_JS = fileURLToPath(new URL('./recorder-handler.js', import.meta.url));

const live = new Set<ChildProc>();

/** A long-running `ringleader` child with node control: kill, pause, resume, stop. */
export class ChildProc extends ControlledChild {
  constructor(
    readonly name: string,
    args: string[],
    opts: { logFile: string; env?: NodeJS.ProcessEnv },
  ) {
    super({
      name,
      command: process.execPath,
      args: [CLI_JS, ...args],
      logFile: opts.logFile,
      env: { ...cleanEnv(), KAFKAJS_NO_PARTITIONER_WARNING: '1', ...opts.env },
    });
    live.add(this);
    void this.exited.then(() => live.delete(this));
  }
}

/** SIGKILLs every child still running (synchronous: usable from an exit hook). */
export function killAllChildren(): void {
  for (const p of live) {
    p.signal('SIGKILL');
    p.signal('SIGCONT');
  }
}

export function liveChildren(): ChildProc[] {
  return [...live];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The chaos run passes every server on the command line: RINGLEADER_* from
 * the caller (e.g. the test setup's shared servers) must not leak into its
 * processes, since every CLI flag also reads its RINGLEADER_ variable.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RINGLEADER_')) delete env[k];
  return env;
}

/** Runs `ringleader <args>` to completion (SIGKILLed after timeoutMs). */
export function runCli(args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv(), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
