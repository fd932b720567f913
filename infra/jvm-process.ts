import { join } from 'node:path';
import type { Logger } from 'pino';
import { ControlledChild, type Exit } from './child-process.js';
import { requireTool } from './tools.js';

export interface JvmSpec {
  /** For logs: "zookeeper-1", "kafka". */
  name: string;
  libDir: string;
  mainClass: string;
  args: string[];
  jvmOptions: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  /**
   * true: a new session, left running when this process exits (`infra up`).
   * false: tied to this process; a watchdog SIGKILLs the JVM if we die, even by SIGKILL.
   */
  detached: boolean;
  logger: Logger;
}

export type { Exit };

const attached = new Set<JvmProcess>();
const live = new Set<JvmProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort for a normal exit; the watchdogs cover the rest.
  process.on('exit', () => {
    for (const p of attached) p.signal('SIGKILL');
  });
}

/** One JVM (a ZooKeeper node, the Kafka broker, a Kafka tool) with node control for fault tests. */
export class JvmProcess extends ControlledChild {
  private constructor(readonly jvm: JvmSpec) {
    super({
      name: jvm.name,
      command: 'java',
      args: [...jvm.jvmOptions, '-cp', join(jvm.libDir, '*'), jvm.mainClass, ...jvm.args],
      logFile: jvm.logFile,
      detached: jvm.detached,
    });
  }

  static start(spec: JvmSpec): JvmProcess {
    requireTool('java');
    const proc = new JvmProcess(spec);
    live.add(proc);
    if (!spec.detached) {
      installExitHook();
      attached.add(proc);
    }
    void proc.exited.then(() => {
      attached.delete(proc);
      live.delete(proc);
    });
    spec.logger.debug({ name: spec.name, pid: proc.pid, logFile: spec.logFile }, 'jvm started');
    return proc;
  }

  /** SIGTERM (clean shutdown), then SIGKILL if it has not exited within `timeoutMs`. */
  override stop(timeoutMs = 15_000): Promise<Exit> {
    return super.stop(timeoutMs);
  }
}

/**
 * SIGKILLs every JVM this process started and that still runs, detached ones
 * included: for a CLI interrupted halfway through `up`, so nothing is left behind.
 */
export function killEverythingStarted(): void {
  for (const p of live) p.signal('SIGKILL');
}
