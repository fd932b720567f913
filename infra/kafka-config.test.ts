import { describe, expect, it } from 'vitest';
import { log4j2Properties, quorumVoters, randomClusterId, replicationFor, serverProperties } from './kafka-config.js';

function entries(text: string): Map<string, string> {
  return new Map(text.trim().split('\n').map((l) => {
    const i = l.indexOf('=');
    return [l.slice(0, i).trim(), l.slice(i + 1).trim()] as [string, string];
  }));
}

describe('serverProperties', () => {
  const props = entries(serverProperties({ host: '127.0.0.1', port: 9092, controllerPort: 9093, logDir: '/data' }));

  it('is a combined KRaft broker and controller voting for itself', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('1');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:9093');
    expect(props.get('controller.listener.names')).toBe('CONTROLLER');
  });

  it('listens and advertises on loopback only', () => {
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9092');
  });

  it('fits a single broker and keeps tests fast and explicit', () => {
    expect(props.get('offsets.topic.replication.factor')).toBe('1');
    expect(props.get('transaction.state.log.replication.factor')).toBe('1');
    expect(props.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(props.get('auto.create.topics.enable')).toBe('false');
    expect(props.get('log.dirs')).toBe('/data');
  });
});

describe('serverProperties extra', () => {
  it('appends extra properties (the last occurrence wins in a properties file) and refuses a name or value that could inject lines', () => {
    const text = serverProperties({ host: '127.0.0.1', port: 9092, controllerPort: 9093, logDir: '/data', extra: { 'group.consumer.min.session.timeout.ms': '10000', 'num.network.threads': '3' } });
    const props = entries(text);
    expect(props.get('group.consumer.min.session.timeout.ms')).toBe('10000');
    expect(props.get('num.network.threads')).toBe('3');
    expect(() => serverProperties({ host: 'h', port: 1, controllerPort: 2, logDir: '/d', extra: { 'a\nb': '1' } })).toThrow(/broker property/);
    expect(() => serverProperties({ host: 'h', port: 1, controllerPort: 2, logDir: '/d', extra: { a: '1\nlisteners=x' } })).toThrow(/broker property/);
  });
});

describe('log4j2Properties', () => {
  it('sends INFO and above to the console appender', () => {
    const props = entries(log4j2Properties());
    expect(props.get('rootLogger.level')).toBe('info');
    expect(props.get('appender.out.type')).toBe('Console');
  });
});

describe('randomClusterId', () => {
  it('encodes 16 bytes as 22 base64url characters', () => {
    const id = randomClusterId(() => new Uint8Array(16).fill(255));
    expect(id).toBe('_____________________w');
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('rejects the wrong number of bytes', () => {
    expect(() => randomClusterId(() => new Uint8Array(15))).toThrow(/16 bytes/);
  });

  it('never starts with "-", which kafka-storage would read as a flag', () => {
    const dash = new Uint8Array(16).fill(255);
    dash[0] = 0xfb; // base64url "-" (62) first
    const draws = [dash, new Uint8Array(16).fill(1)];
    expect(Buffer.from(dash).toString('base64url').startsWith('-')).toBe(true);
    expect(randomClusterId(() => draws.shift()!)).toBe(Buffer.from(new Uint8Array(16).fill(1)).toString('base64url'));
  });
});

describe('serverProperties of a 3-node cluster', () => {
  const members = [1, 2, 3].map((id) => ({ id, port: 19091 + id, controllerPort: 19191 + id }));
  const props = entries(serverProperties({ host: '127.0.0.1', port: 19093, controllerPort: 19193, logDir: '/d2', nodeId: 2, cluster: members }));

  it('makes every node a broker and a voter of one static quorum', () => {
    expect(props.get('process.roles')).toBe('broker,controller');
    expect(props.get('node.id')).toBe('2');
    expect(props.get('controller.quorum.voters')).toBe('1@127.0.0.1:19192,2@127.0.0.1:19193,3@127.0.0.1:19194');
    expect(props.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19093,CONTROLLER://127.0.0.1:19193');
    expect(props.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19093');
  });

  it('replicates topics and internal topics 3 times and needs 2 in sync for acks=all', () => {
    for (const key of ['default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'share.coordinator.state.topic.replication.factor']) {
      expect(props.get(key), key).toBe('3');
    }
    for (const key of ['min.insync.replicas', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.min.isr']) {
      expect(props.get(key), key).toBe('2');
    }
  });

  it('fences a silent node within seconds, so failovers are quick enough to measure', () => {
    expect(Number(props.get('broker.session.timeout.ms'))).toBeLessThan(9000);
    expect(Number(props.get('broker.heartbeat.interval.ms'))).toBeLessThan(Number(props.get('broker.session.timeout.ms')));
  });

  it('refuses a node that is not among its members', () => {
    expect(() => serverProperties({ host: '127.0.0.1', port: 1, controllerPort: 2, logDir: '/d', nodeId: 4, cluster: members })).toThrow(/not one of/);
  });
});

describe('replicationFor', () => {
  it('follows the cluster size up to 3 copies, 2 of them in sync', () => {
    expect(replicationFor(1)).toEqual({ replicationFactor: 1, minInsyncReplicas: 1 });
    expect(replicationFor(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: 1 });
    expect(replicationFor(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicationFor(5)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(() => replicationFor(0)).toThrow(RangeError);
  });

  it('gives a single node replication factor 1', () => {
    const single = entries(serverProperties({ host: '127.0.0.1', port: 9092, controllerPort: 9093, logDir: '/data' }));
    expect(single.get('default.replication.factor')).toBe('1');
    expect(single.get('min.insync.replicas')).toBe('1');
    expect(single.has('broker.session.timeout.ms')).toBe(false);
  });
});

describe('quorumVoters', () => {
  it('lists id@host:controllerPort of every member', () => {
    expect(quorumVoters('127.0.0.1', [{ id: 1, port: 1, controllerPort: 9093 }])).toBe('1@127.0.0.1:9093');
  });
});
