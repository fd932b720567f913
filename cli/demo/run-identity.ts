import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';

/** A group and topic name of its own for every run: demo-<UTC time>-<random>. */
export function demoName(): string {
  return `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
}

/** On a live screen, logs would scribble over it: they go to a file instead. */
export function demoLogger(live: boolean, level: string, runDir: string): Logger {
  return live
    ? pino({ level, base: {} }, createWriteStream(join(runDir, 'demo.log')))
    : pino({ level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}
