// A Kafka broker of a test file's own (for listeners the shared broker does
// not have: SASL, TLS): started before the file's tests in a fresh folder,
// stopped and removed after them; the file's child processes are stopped
// after each test, before the broker goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startKafka, type KafkaBroker, type KafkaOptions } from '../../infra/index.js';
import type { ProcSet } from './node-process.js';

export interface PrivateKafka {
  readonly broker: KafkaBroker;
  /** The broker's run folder, also for the test's own files. */
  readonly dir: string;
}

/** `options` may write files into the folder first (certificates). */
export function privateKafka(prefix: string, procs: ProcSet, options: (dir: string) => Omit<KafkaOptions, 'runDir'>): PrivateKafka {
  let broker: KafkaBroker | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `ringleader-${prefix}-`));
    broker = await startKafka({ runDir: dir, ...options(dir) });
  }, 240_000);
  afterEach(async () => {
    await procs.stopAll();
  });
  afterAll(async () => {
    await broker?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get broker() {
      if (!broker) throw new Error('the private Kafka broker is not started (used outside a test?)');
      return broker;
    },
    get dir() {
      if (!dir) throw new Error('the private Kafka broker is not started (used outside a test?)');
      return dir;
    },
  };
}
