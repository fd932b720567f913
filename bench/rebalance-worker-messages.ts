/**
 * What bench/rebalance-run.ts and a consumer process (bench/rebalance-worker.ts)
 * say over IPC: the worker says `loaded` once its client library is loaded,
 * is told JOIN, and says `ready` once it consumes.
 */
export type WorkerMessage = 'loaded' | 'ready';
export const JOIN = 'join';
