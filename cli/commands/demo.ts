import type { Command } from 'commander';

/** `ringleader demo` is registered here; the demo itself lives in cli/demo/. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start everything on this machine and show scaling and recovery (see README)')
    .option('--ci', 'no live view; print a JSON summary and exit 0 only when nothing was lost')
    .action(async () => {
      throw new Error('the demo is not built yet');
    });
}
