import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseInfraArgs, zkPortsFor } from './cli-args.js';

const quiet = { writeOut: () => undefined, writeErr: () => undefined };
const parse = (argv: string[]) => parseInfraArgs(argv, quiet);

describe('parseInfraArgs', () => {
  it('defaults up to standalone ZooKeeper 2181 and Kafka 9092/9093', () => {
    expect(parse(['up'])).toEqual({ command: 'up', ensemble: false, zkPort: 2181, kafkaPort: 9092, controllerPort: 9093 });
  });

  it('reads every up flag', () => {
    expect(parse(['up', '--ensemble', '--zk-port', '3181', '--kafka-port', '19092', '--controller-port', '19093'])).toEqual({
      command: 'up', ensemble: true, zkPort: 3181, kafkaPort: 19092, controllerPort: 19093,
    });
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
    expect(zkPortsFor({ ensemble: true, zkPort: 2181, kafkaPort: 1, controllerPort: 2 })).toEqual([2181, 2182, 2183]);
    expect(zkPortsFor({ ensemble: false, zkPort: 2181, kafkaPort: 1, controllerPort: 2 })).toEqual([2181]);
  });
});
