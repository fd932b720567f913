/**
 * A znode Stat's ctime or mtime in ms since the epoch (the server's clock).
 * node-zookeeper-client hands these longs over as 8-byte big-endian Buffers.
 */
export function statTime(b: Buffer): number {
  return Number(Buffer.from(b).readBigInt64BE(0));
}
