/**
 * A built copy of ringleader that bench/scale.ts runs: this repository's
 * dist/ ("ours") or the baseline built from an older commit. The parent
 * loads its coordinator/ (to create the group, as `ringleader create` does)
 * and ring/ (to time assign()); its worker processes run its
 * dist/bench/scale-worker.js.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type CoordinatorModule = typeof import('../coordinator/index.js');
export type RingModule = typeof import('../ring/index.js');

export interface BuiltTree {
  /** "ours" or "baseline". */
  name: string;
  distDir: string;
  workerPath: string;
  coordinator: CoordinatorModule;
  ring: RingModule;
  /** The most ranges a group may have in this version. */
  maxRanges: number;
}

export async function loadTree(name: string, distDir: string): Promise<BuiltTree> {
  const workerPath = join(distDir, 'bench', 'scale-worker.js');
  for (const f of [workerPath, join(distDir, 'coordinator', 'index.js'), join(distDir, 'ring', 'index.js')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing; build first (npm run build)`);
  }
  const load = (rel: string) => import(pathToFileURL(join(distDir, rel)).href);
  const coordinator = (await load('coordinator/index.js')) as CoordinatorModule;
  const ring = (await load('ring/index.js')) as RingModule;
  const limit = (coordinator as { MAX_GROUP_RANGES?: unknown }).MAX_GROUP_RANGES;
  return { name, distDir, workerPath, coordinator, ring, maxRanges: typeof limit === 'number' ? limit : Number.POSITIVE_INFINITY };
}
