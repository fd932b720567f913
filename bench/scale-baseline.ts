/**
 * The baseline of bench/scale.ts: ringleader as it was before the Scale
 * change (one `assignment` znode; commit BASELINE_COMMIT), plus the
 * read-bytes counter of ZkSession (BYTES_READ_COMMIT, instrumentation only),
 * with this benchmark's worker files copied in and compiled with the
 * repository's TypeScript. Built once into a git-ignored cache folder and
 * rebuilt when the worker files change.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { infraHome, repoRoot } from '../infra/index.js';

export const BASELINE_COMMIT = '5144ec5';
/** The commit that added ZkSession.bytesRead on top of the baseline (it changes nothing else). */
const BYTES_READ_COMMIT = '56b78a8';
const BYTES_READ_FILE = 'coordinator/zk-session.ts';
const KEY_FILE = '.bench-scale-key';
const TSCONFIG = 'tsconfig.bench-scale.json';
/** The worker process's own files (bench/scale-worker.ts and what it imports from bench/), copied into the baseline tree. */
const WORKER_FILES = ['scale-worker.ts', 'scale-member.ts', 'scale-noop-consumer.ts', 'scale-protocol.ts'];
/** What the worker processes and the parent load from the baseline tree. */
const ENTRY_POINTS = [`bench/${WORKER_FILES[0]}`, 'coordinator/index.ts', 'ring/index.ts'];

const run = promisify(execFile);

/** Builds (or reuses) the baseline; resolves with its dist folder. `signal` ends the build's child processes. */
export async function buildBaseline(log: (line: string) => void, signal?: AbortSignal): Promise<string> {
  const root = repoRoot();
  const dir = join(infraHome(), 'cache', `bench-scale-baseline-${BASELINE_COMMIT}`);
  const sources = WORKER_FILES;
  const key = buildKey(root, sources);
  const dist = join(dir, 'dist');
  if (existsSync(join(dir, KEY_FILE)) && readFileSync(join(dir, KEY_FILE), 'utf8') === key && existsSync(join(dist, 'bench', 'scale-worker.js'))) {
    log(`baseline ${BASELINE_COMMIT}: reusing ${dir}`);
    return dist;
  }
  log(`baseline ${BASELINE_COMMIT}: building in ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await run('sh', ['-c', 'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"', 'sh', root, BASELINE_COMMIT, dir], { signal });
  writeFileSync(join(dir, BYTES_READ_FILE), execFileSync('git', ['-C', root, 'show', `${BYTES_READ_COMMIT}:${BYTES_READ_FILE}`]));
  for (const f of sources) copyFileSync(join(root, 'bench', f), join(dir, 'bench', f));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, TSCONFIG), JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { outDir: 'dist', rootDir: '.', declaration: false, sourceMap: false },
    files: ENTRY_POINTS,
    include: [],
  }, null, 2));
  try {
    await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', TSCONFIG], { cwd: dir, signal });
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? '';
    throw new Error(`baseline ${BASELINE_COMMIT} does not compile with the benchmark's worker: ${out.split('\n').slice(0, 5).join(' | ') || String(err)}`);
  }
  writeFileSync(join(dir, KEY_FILE), key);
  return dist;
}

function buildKey(root: string, sources: readonly string[]): string {
  const h = createHash('sha256').update(`${BASELINE_COMMIT}+${BYTES_READ_COMMIT}\n`);
  for (const f of [...sources].sort()) h.update(f).update('\0').update(readFileSync(join(root, 'bench', f))).update('\0');
  return h.digest('hex');
}
