/** ZooKeeper result codes (the server's KeeperException codes). */
export const ZK = {
  CONNECTION_LOSS: -4,
  OPERATION_TIMEOUT: -7,
  RUNTIME_INCONSISTENCY: -2,
  NO_NODE: -101,
  NO_AUTH: -102,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
  INVALID_ACL: -114,
  AUTH_FAILED: -115,
} as const;

const NAMES = new Map<number, string>(Object.entries(ZK).map(([k, v]) => [v, k]));

/** An error from ZooKeeper with its numeric code and the path it concerned. */
export class ZkError extends Error {
  readonly code: number;
  readonly path: string | undefined;
  /** Connection trouble may pass; a NO_NODE or BAD_VERSION will not. */
  readonly retriable: boolean;

  /** In a failed multi: the index of the op that failed it. */
  readonly opIndex: number | undefined;

  constructor(code: number, message: string, path?: string, opIndex?: number) {
    super(message);
    this.name = 'ZkError';
    this.code = code;
    this.path = path;
    this.opIndex = opIndex;
    this.retriable = code === ZK.CONNECTION_LOSS || code === ZK.OPERATION_TIMEOUT;
  }

  static from(err: unknown, path?: string): ZkError {
    if (err instanceof ZkError) return err;
    const code = typeof (err as { getCode?: () => number })?.getCode === 'function'
      ? (err as { getCode: () => number }).getCode()
      : typeof (err as { code?: unknown })?.code === 'number'
        ? ((err as { code: number }).code)
        : -1;
    const name = NAMES.get(code) ?? `code ${code}`;
    const msg = err instanceof Error ? err.message : String(err);
    return new ZkError(code, `${name}${path ? ` at ${path}` : ''}: ${msg}`, path);
  }
}

export function isZkCode(err: unknown, code: number): boolean {
  return err instanceof ZkError && err.code === code;
}
