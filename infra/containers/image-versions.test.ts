import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../paths.js';
import { KAFKA_VERSION, ZOOKEEPER_VERSION } from '../versions.js';

// The server images resolve their jars with the same poms as infra/; their
// default versions must be the ones infra/ runs, or the two test providers
// (local JVMs and containers) would test different servers.
function argDefaults(dockerfile: string, name: string): string[] {
  const text = readFileSync(join(repoRoot(), 'infra', 'containers', dockerfile, 'Dockerfile'), 'utf8');
  return [...text.matchAll(new RegExp(`^ARG ${name}=(\\S+)$`, 'gm'))].map((m) => m[1] as string);
}

describe('server images', () => {
  it('default to the Kafka version of infra/versions.ts in every stage', () => {
    const found = argDefaults('kafka', 'KAFKA_VERSION');
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found)).toEqual(new Set([KAFKA_VERSION]));
  });

  it('default to the ZooKeeper version of infra/versions.ts in every stage', () => {
    const found = argDefaults('zookeeper', 'ZOOKEEPER_VERSION');
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found)).toEqual(new Set([ZOOKEEPER_VERSION]));
  });
});
