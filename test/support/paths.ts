// The built programs the tests and the chaos run start (`npm run build`):
// one place for each path, found from the repository root so that the same
// constant works from test/*.ts under vitest and from dist/test/.
import { join } from 'node:path';
import { repoRoot } from '../../infra/paths.js';

/** The `ringleader` CLI. */
export const CLI_JS = join(repoRoot(), 'dist', 'cli', 'main.js');
/** The handler module that records every call (poller/handlers/recording-handler.ts). */
export const RECORDING_HANDLER_JS = join(repoRoot(), 'dist', 'poller', 'handlers', 'recording-handler.js');
/** The chaos run (`npm run chaos`). */
export const CHAOS_JS = join(repoRoot(), 'dist', 'test', 'chaos', 'main.js');
/** A coordinator stand-in member in its own process (standin-member.ts). */
export const STANDIN_MEMBER_JS = join(repoRoot(), 'dist', 'test', 'support', 'standin-member.js');
