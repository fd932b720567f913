import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RingMessage } from '../message.js';
import { loadModuleHandler } from './module-handler.js';
import { createCountingHandler } from './counting-handler.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ringleader-handler-'));
  await writeFile(join(dir, 'ok.mjs'), 'export const seen = []; export default async (msg) => { seen.push(msg.offset); };\n');
  await writeFile(join(dir, 'throws.mjs'), 'export default async (msg) => { throw new Error("nope " + msg.offset); };\n');
  await writeFile(join(dir, 'no-default.mjs'), 'export const handler = async () => {};\n');
  await writeFile(join(dir, 'not-fn.mjs'), 'export default 42;\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const msg: RingMessage = {
  topic: 't',
  range: 0,
  partition: 0,
  offset: '7',
  key: 'k',
  value: Buffer.alloc(0),
  headers: {},
  timestamp: '0',
  attempt: 1,
};

describe('loadModuleHandler', () => {
  it('loads the default export, resolving the path against cwd', async () => {
    const handler = await loadModuleHandler('./ok.mjs', dir);
    await handler(msg);
    const mod = (await import(join(dir, 'ok.mjs'))) as { seen: string[] };
    expect(mod.seen).toEqual(['7']);
  });

  it('passes a throwing handler through as a rejection', async () => {
    const handler = await loadModuleHandler(join(dir, 'throws.mjs'));
    await expect(handler(msg)).rejects.toThrow('nope 7');
  });

  it('explains a missing file in one line', async () => {
    await expect(loadModuleHandler('./missing.mjs', dir)).rejects.toThrow(/^handler module not found: .*missing\.mjs$/);
  });

  it('explains a module without a default function', async () => {
    await expect(loadModuleHandler('./no-default.mjs', dir)).rejects.toThrow(/must default-export a function.*no default export/);
    await expect(loadModuleHandler('./not-fn.mjs', dir)).rejects.toThrow(/type number/);
  });
});

describe('createCountingHandler', () => {
  it('acks and counts', async () => {
    const c = createCountingHandler();
    await c.handle(msg);
    await c.handle(msg);
    expect(c.count()).toBe(2);
  });
});
