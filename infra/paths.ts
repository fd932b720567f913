import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this module whose
 * package.json is ringleader's. Walking up (rather than a fixed `..`) makes the
 * same code work from infra/*.ts under vitest and from dist/infra/*.js.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && readPackageName(pkg) === 'ringleader') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ringleader package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readPackageName(file: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && 'name' in parsed && typeof parsed.name === 'string'
      ? parsed.name
      : undefined;
  } catch {
    return undefined;
  }
}

/** Git-ignored home of jars, data, logs and state; RINGLEADER_INFRA_HOME moves it. */
export function infraHome(): string {
  return process.env['RINGLEADER_INFRA_HOME'] ?? join(repoRoot(), '.infra');
}

export const stateFileName = 'state.json';
export const envFileName = 'env';
