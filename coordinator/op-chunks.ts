import type { Op } from './zk-session.js';

/**
 * ZooKeeper takes a request of at most jute.maxbuffer (1 MiB by default) and
 * drops the connection on a larger one; a multi's chunks stay well below.
 */
export const MULTI_CHUNK_BYTES = 512 * 1024;

/** Roughly what an op adds to a multi request: its path, its data and the op's framing. */
export function opBytes(op: Op): number {
  return 24 + op.path.length + (op.op === 'create' || op.op === 'setData' ? op.data.length : 0);
}

/** Splits `items` into consecutive chunks whose summed size stays within `maxBytes` (an item larger than that goes alone). */
export function chunkBySize<T>(items: readonly T[], size: (item: T) => number, maxBytes = MULTI_CHUNK_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const n = size(item);
    if (current.length > 0 && bytes + n > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
