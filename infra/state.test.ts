import { describe, expect, it } from 'vitest';
import { parseState, serializeState, type InfraState } from './state.js';

const state: InfraState = {
  version: 1,
  runDir: '/x/.infra/up',
  startedAt: '2025-01-01T00:00:00.000Z',
  zkConnect: '127.0.0.1:2181',
  brokers: '127.0.0.1:9092',
  zookeeper: [{ name: 'zookeeper-1', pid: 10, marker: '/x/.infra/up/zookeeper-1', logFile: '/x/z.log', id: 1, clientPort: 2181 }],
  kafka: [{ name: 'kafka', pid: 11, marker: '/x/.infra/up/kafka', logFile: '/x/k.log', port: 9092, controllerPort: 9093 }],
};
const kafka0 = state.kafka[0]!;

describe('state file', () => {
  it('round-trips', () => {
    expect(parseState(serializeState(state))).toEqual(state);
  });

  it('keeps ensemble quorum ports', () => {
    const ensemble = { ...state, zookeeper: [{ ...state.zookeeper[0]!, quorumPort: 3001, electionPort: 4001 }] };
    expect(parseState(serializeState(ensemble)).zookeeper[0]).toMatchObject({ quorumPort: 3001, electionPort: 4001 });
  });

  it.each([
    ['an unknown version', { ...state, version: 2 }, /version/],
    ['a missing kafka pid', { ...state, kafka: [{ ...kafka0, pid: undefined }] }, /pid/],
    ['a negative pid', { ...state, kafka: [{ ...kafka0, pid: -1 }] }, /pid/],
    ['no zookeeper nodes', { ...state, zookeeper: [] }, /zookeeper/],
    ['no kafka nodes', { ...state, kafka: [] }, /kafka/],
    ['an empty marker', { ...state, kafka: [{ ...kafka0, marker: '' }] }, /marker/],
  ])('rejects %s', (_what, value, reason) => {
    expect(() => parseState(JSON.stringify(value))).toThrow(reason);
  });

  it('keeps every node of a Kafka cluster', () => {
    const cluster = { ...state, kafka: [1, 2, 3].map((id) => ({ ...kafka0, name: `kafka-${id}`, port: 9091 + id, controllerPort: 9094 + id })) };
    expect(parseState(serializeState(cluster)).kafka.map((k) => k.name)).toEqual(['kafka-1', 'kafka-2', 'kafka-3']);
  });

  it('reads the single Kafka object of an older state file', () => {
    expect(parseState(JSON.stringify({ ...state, kafka: kafka0 })).kafka).toEqual([kafka0]);
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseState('pid=3')).toThrow();
  });
});
