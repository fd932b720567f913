import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { kafkaPortsFor, parseInfraArgs, zkPortsFor } from './cli-args.js';

const quiet = { writeOut: () => undefined, writeErr: () => undefined };
const parse = (argv: string[]) => parseInfraArgs(argv, quiet);

describe('parseInfraArgs', () => {
  it('defaults up to standalone ZooKeeper 2181 and Kafka 9092/9093', () => {
    expect(parse(['up'])).toEqual({ command: 'up', ensemble: false, zkPort: 2181, kafkaBrokers: 1, kafkaPort: 9092, controllerPort: 9093 });
  });

  it('reads every up flag', () => {
    expect(parse(['up', '--ensemble', '--zk-port', '3181', '--kafka-port', '19092', '--controller-port', '19093'])).toEqual({
      command: 'up', ensemble: true, zkPort: 3181, kafkaBrokers: 1, kafkaPort: 19092, controllerPort: 19093,
    });
  });

  it('gives a Kafka cluster consecutive client ports and controller ports right after them', () => {
    const up = parse(['up', '--kafka-brokers', '3', '--kafka-port', '19092']);
    expect(up).toMatchObject({ kafkaBrokers: 3, kafkaPort: 19092, controllerPort: 19095 });
    if (up.command !== 'up') throw new Error('not up');
    expect(kafkaPortsFor(up)).toEqual({ ports: [19092, 19093, 19094], controllerPorts: [19095, 19096, 19097] });
    expect(parse(['up', '--kafka-brokers', '3', '--controller-port', '19192'])).toMatchObject({ kafkaPort: 9092, controllerPort: 19192 });
  });

  it.each([['0'], ['10'], ['two']])('rejects --kafka-brokers %s', (value) => {
    expect(() => parse(['up', '--kafka-brokers', value])).toThrow(CommanderError);
  });

  it('rejects controller ports that overlap the client ports', () => {
    expect(() => parse(['up', '--kafka-brokers', '3', '--kafka-port', '9092', '--controller-port', '9094'])).toThrow(/overlaps/);
  });

  it('reads down --clean and status', () => {
    expect(parse(['down'])).toEqual({ command: 'down', clean: false });
    expect(parse(['down', '--clean'])).toEqual({ command: 'down', clean: true });
    expect(parse(['status'])).toEqual({ command: 'status' });
  });

  it.each([['0'], ['65536'], ['12ab'], ['-1']])('rejects port %s', (value) => {
    expect(() => parse(['up', '--kafka-port', value])).toThrow(CommanderError);
  });

  it('rejects unknown commands and options', () => {
    expect(() => parse(['sideways'])).toThrow(CommanderError);
    expect(() => parse(['up', '--fast'])).toThrow(CommanderError);
  });

  it('gives an ensemble three consecutive client ports', () => {
    expect(zkPortsFor({ ensemble: true, zkPort: 2181, kafkaBrokers: 1, kafkaPort: 1, controllerPort: 2 })).toEqual([2181, 2182, 2183]);
    expect(zkPortsFor({ ensemble: false, zkPort: 2181, kafkaBrokers: 1, kafkaPort: 1, controllerPort: 2 })).toEqual([2181]);
  });
});
