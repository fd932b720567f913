import { createRequire } from 'node:module';

/** The slice of the `hashring` npm package (no type definitions) the benchmark uses. */
export interface HashRingLike {
  get(key: string): string;
  add(servers: string | string[]): HashRingLike;
  remove(server: string): HashRingLike;
}

type HashRingConstructor = new (servers: string[]) => HashRingLike;

const require = createRequire(import.meta.url);

/** A ketama ring (md5, 40 vnodes x 4 replicas per server: hashring's defaults). */
export function createHashRing(servers: string[]): HashRingLike {
  const HashRing = require('hashring') as HashRingConstructor;
  return new HashRing(servers);
}
