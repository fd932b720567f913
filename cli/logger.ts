import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { REDACT_PATHS, REDACTED } from './secrets.js';

export interface LogOptions {
  pretty?: boolean;
  logLevel?: string;
}

/** Logs go to stderr (stdout is for machine output); `--pretty` for people. */
export function createCliLogger(opts: LogOptions, bindings: Record<string, unknown> = {}): Logger {
  const level = opts.logLevel ?? 'info';
  if (opts.pretty) {
    const stream = pretty({ destination: 2, colorize: process.stderr.isTTY, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
    return pino({ level, base: bindings, redact: { paths: REDACT_PATHS, censor: REDACTED } }, stream);
  }
  return pino({ level, base: { pid: process.pid, ...bindings }, redact: { paths: REDACT_PATHS, censor: REDACTED } }, pino.destination({ dest: 2, sync: true }));
}
