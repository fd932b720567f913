/**
 * What `infra up` started, so that `down` and `status` (later, separate
 * processes) can find it. Every process carries its own folder in its command
 * line; `marker` is that folder, used to check a pid is still ours.
 */
export interface ProcessRecord {
  name: string;
  pid: number;
  marker: string;
  logFile: string;
}

export interface ZooKeeperRecord extends ProcessRecord {
  id: number;
  clientPort: number;
  quorumPort?: number;
  electionPort?: number;
}

export interface KafkaRecord extends ProcessRecord {
  port: number;
  controllerPort: number;
}

export interface InfraState {
  version: 1;
  /** The folder holding every node's config, data and log. */
  runDir: string;
  startedAt: string;
  zkConnect: string;
  brokers: string;
  zookeeper: ZooKeeperRecord[];
  /** Every Kafka node, by node id. */
  kafka: KafkaRecord[];
}

export function serializeState(state: InfraState): string {
  return JSON.stringify(state, null, 2) + '\n';
}

/** Throws with a reason when the text is not a state file this version wrote. */
export function parseState(text: string): InfraState {
  const value: unknown = JSON.parse(text);
  const obj = asObject(value, 'state');
  if (obj['version'] !== 1) throw new Error(`unsupported state version ${String(obj['version'])}`);
  const zookeeper = obj['zookeeper'];
  if (Array.isArray(obj['kafka']) && obj['kafka'].length === 0) throw new Error('state.kafka must not be empty');
  if (!Array.isArray(zookeeper) || zookeeper.length === 0) throw new Error('state.zookeeper must be a non-empty array');
  return {
    version: 1,
    runDir: str(obj, 'runDir'),
    startedAt: str(obj, 'startedAt'),
    zkConnect: str(obj, 'zkConnect'),
    brokers: str(obj, 'brokers'),
    zookeeper: zookeeper.map((z, i) => {
      const o = asObject(z, `zookeeper[${i}]`);
      const record: ZooKeeperRecord = { ...processRecord(o), id: int(o, 'id'), clientPort: int(o, 'clientPort') };
      if (o['quorumPort'] !== undefined) record.quorumPort = int(o, 'quorumPort');
      if (o['electionPort'] !== undefined) record.electionPort = int(o, 'electionPort');
      return record;
    }),
    // A state file from before Kafka clusters holds one node as an object.
    kafka: (Array.isArray(obj['kafka']) ? (obj['kafka'] as unknown[]) : [obj['kafka']]).map((k, i) => {
      const o = asObject(k, `kafka[${i}]`);
      return { ...processRecord(o), port: int(o, 'port'), controllerPort: int(o, 'controllerPort') };
    }),
  };
}

function processRecord(o: Record<string, unknown>): ProcessRecord {
  return { name: str(o, 'name'), pid: int(o, 'pid'), marker: str(o, 'marker'), logFile: str(o, 'logFile') };
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function str(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Error(`${key} must be a non-empty string`);
  return v;
}

function int(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new Error(`${key} must be a positive integer`);
  return v;
}
