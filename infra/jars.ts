import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { InfraError } from './errors.js';
import { infraHome, repoRoot } from './paths.js';
import { requireTool } from './tools.js';
import { versionOf, type Product } from './versions.js';

export interface JarOptions {
  home?: string;
  version?: string;
  logger?: Logger;
}

export function libDirOf(product: Product, home = infraHome(), version = versionOf[product]): string {
  return join(home, 'cache', `${product}-${version}`, 'lib');
}

function hasJars(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.jar'));
}

/**
 * The folder of jars to run `product`, fetched through Maven into
 * <home>/cache on first use and reused (offline) afterwards. Maven writes to a
 * staging folder that is renamed into place only when complete, so an
 * interrupted or concurrent resolve never leaves a half-filled lib folder.
 */
export async function ensureJars(product: Product, options: JarOptions = {}): Promise<string> {
  const home = options.home ?? infraHome();
  const version = options.version ?? versionOf[product];
  const log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'jars' });
  const libDir = libDirOf(product, home, version);
  if (hasJars(libDir)) return libDir;

  requireTool('mvn');
  const staging = join(home, 'cache', `.staging-${product}-${version}-${process.pid}-${Date.now()}`);
  const logDir = join(home, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `maven-${product}-${version}.log`);
  const started = Date.now();
  log.info({ product, version, repo: join(home, 'cache', 'm2') }, `downloading ${product} ${version} jars through Maven (first run only)`);

  const args = [
    '-B', '-q',
    '-f', join(repoRoot(), 'infra', 'maven', product, 'pom.xml'),
    `-D${product}.version=${version}`,
    `-Dmaven.repo.local=${join(home, 'cache', 'm2')}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${staging}`,
  ];
  const fd = openSync(logFile, 'w');
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('mvn', args, { stdio: ['ignore', fd, fd] });
      child.once('error', reject);
      child.once('exit', (c) => resolve(c));
    });
    if (code !== 0) {
      rmSync(staging, { recursive: true, force: true });
      throw new InfraError(`Maven could not fetch the ${product} ${version} jars (exit ${code}); see ${logFile} (Maven Central must be reachable on first run)`);
    }
  } finally {
    closeSync(fd);
  }

  mkdirSync(join(libDir, '..'), { recursive: true });
  try {
    renameSync(staging, libDir);
  } catch (err) {
    // Another process finished first; its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!hasJars(libDir)) throw err;
  }
  log.info({ product, version, libDir, ms: Date.now() - started }, `fetched ${product} ${version} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return libDir;
}
