// Loads a user handler module (`--handler ./path.js`): its default export is
// `async (msg) => void`; resolve = ack, throw = retry.

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Handler } from '../message.js';

export async function loadModuleHandler(path: string, cwd: string = process.cwd()): Promise<Handler> {
  const absolute = resolve(cwd, path);
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new Error('not a file');
  } catch {
    throw new Error(`handler module not found: ${absolute}`);
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`handler module ${absolute} failed to load: ${reason}`, { cause: err });
  }
  const fn = mod.default;
  if (typeof fn !== 'function') {
    throw new Error(`handler module ${absolute} must default-export a function (async (msg) => void), found ${describe(fn)}`);
  }
  return fn as Handler;
}

function describe(value: unknown): string {
  if (value === undefined) return 'no default export';
  if (value === null) return 'null';
  return `a default export of type ${typeof value}`;
}
