import { Option } from 'commander';

/** Every flag also reads an environment variable: `--session-timeout` -> `RINGLEADER_SESSION_TIMEOUT`. */
export function envName(flag: string): string {
  return `RINGLEADER_${flag.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

/** An option that falls back to its environment variable (flags that negate, `--no-...`, have none). */
export function opt(flags: string, description: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  const o = new Option(flags, description);
  return long && !long.startsWith('--no-') ? o.env(envName(long)) : o;
}
