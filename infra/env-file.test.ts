import { describe, expect, it } from 'vitest';
import { formatEnvFile, parseEnvFile } from './env-file.js';

describe('env file', () => {
  it('round-trips', () => {
    const endpoints = { zkConnect: '127.0.0.1:2181,127.0.0.1:2182', brokers: '127.0.0.1:9092' };
    expect(parseEnvFile(formatEnvFile(endpoints))).toEqual(endpoints);
  });

  it('accepts export prefixes, quotes, comments and blank lines', () => {
    const text = '# written by infra\n\nexport RINGLEADER_ZK="127.0.0.1:2181"\nRINGLEADER_BROKERS=\'127.0.0.1:9092\'\nOTHER=1\n';
    expect(parseEnvFile(text)).toEqual({ zkConnect: '127.0.0.1:2181', brokers: '127.0.0.1:9092' });
  });

  it('is undefined unless both endpoints are named', () => {
    expect(parseEnvFile('RINGLEADER_ZK=127.0.0.1:2181\n')).toBeUndefined();
    expect(parseEnvFile('RINGLEADER_ZK=\nRINGLEADER_BROKERS=127.0.0.1:9092\n')).toBeUndefined();
    expect(parseEnvFile('')).toBeUndefined();
  });
});
