import { spawnSync } from 'node:child_process';
import { InfraError } from './errors.js';

const hints: Record<string, string> = {
  java: 'install a Java 17+ runtime (e.g. apt-get install openjdk-17-jre-headless) or put it on PATH',
  mvn: 'install Maven 3.8+ (e.g. apt-get install maven) or put it on PATH; it is only needed the first time, to fetch the jars',
};

/** Throws a one-line InfraError when `command` cannot be run at all. */
export function requireTool(command: 'java' | 'mvn'): void {
  const result = spawnSync(command, ['-version'], { stdio: 'ignore' });
  if (result.error) throw new InfraError(`'${command}' not found: ${hints[command]}`);
}
