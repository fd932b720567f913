// The `ringleader` processes of a chaos run (test/support/node-process.ts),
// each given the run's own environment: every server is passed on the command
// line, so RINGLEADER_* of the caller (e.g. the test setup's shared servers)
// must not leak into them, since every CLI flag also reads its RINGLEADER_
// variable.
import type { NamespacedLaunch } from './network-partition.js';
import { runCli as runCliWith, startCli, type NodeProcess, type RunResult } from '../support/node-process.js';

function runEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const unset: NodeJS.ProcessEnv = {};
  for (const k of Object.keys(process.env)) if (k.startsWith('RINGLEADER_')) unset[k] = undefined;
  return { ...unset, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...extra };
}

/** A long-running `ringleader <args>` (poller, coordinator) logging to `logFile`; `launch` runs it in a network namespace (network-partition.ts). */
export function startRunProcess(name: string, args: string[], opts: { logFile: string; env?: NodeJS.ProcessEnv; launch?: NamespacedLaunch }): NodeProcess {
  const { launch } = opts;
  return startCli(args, { name, logFile: opts.logFile, env: runEnv({ ...opts.env, ...launch?.env }), ...(launch ? { wrap: launch.wrap, nodeArgs: launch.nodeArgs } : {}) });
}

/** Runs `ringleader <args>` to completion (SIGKILLed after timeoutMs). */
export function runCli(args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return runCliWith(args, { env: runEnv(), timeoutMs });
}
