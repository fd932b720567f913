// How producers and pollers follow the resize marker
// (coordinator/resize-marker-watch.ts), against a real ZooKeeper.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createGroupConfig, encode, GroupPaths, ResizeMarkerWatch, type MarkerSeen, type ZkSession } from '../coordinator/index.js';
import { Cleanups } from './support/cleanups.js';
import { RingGroups } from './support/ring-groups.js';
import { randomName } from './support/env.js';
import { spiedSession } from './support/session-spy.js';
import { waitFor } from './support/wait-for.js';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const marker = (id: string) => encode({ id, from: 2, to: 4, host: 'h', pid: 1, startedAt: 'now' });

/** The watch's session, with every read it sends noted in `reads`. */
function counted(zk: ZkSession, reads: string[]): ZkSession {
  const noted = (name: string) => (real: (...a: unknown[]) => unknown, args: unknown[]) => {
    reads.push(name);
    return real(...args);
  };
  return spiedSession(zk, { getData: noted('getData'), getDataOrNull: noted('getDataOrNull'), exists: noted('exists') });
}

async function watched(onMarker: (m: MarkerSeen | null, admin: ZkSession, paths: GroupPaths, told: number) => Promise<void> = async () => undefined) {
  const groups = new RingGroups(cleanups, 'marker');
  const admin = await groups.session();
  const paths = new GroupPaths(randomName('marker'));
  await createGroupConfig(admin, paths, { topic: 't', ranges: 2 });
  const reads: string[] = [];
  const seen: { marker: string | null; readsBefore: string[] }[] = [];
  const watch = new ResizeMarkerWatch(counted(await groups.session(), reads), paths, pino({ level: 'silent' }), async (m) => {
    seen.push({ marker: m?.id ?? null, readsBefore: reads.splice(0) });
    await onMarker(m, admin, paths, seen.length);
  });
  await watch.start();
  cleanups.add(() => watch.close());
  return { admin, paths, seen };
}

describe('ResizeMarkerWatch (real ZooKeeper)', () => {
  it("tells the marker's deletion without reading it first; the exists watch for the next one travels meanwhile", async () => {
    const { admin, paths, seen } = await watched();
    await admin.create(paths.resize, marker('r1'), 'ephemeral');
    await waitFor('r1 seen', () => seen.some((s) => s.marker === 'r1'), { timeoutMs: 5_000 });
    const before = seen.length;
    await admin.remove(paths.resize, -1);
    await waitFor('deletion seen', () => seen.length > before, { timeoutMs: 5_000 });
    expect(seen[before]).toEqual({ marker: null, readsBefore: ['exists'] });
    // The exists watch is set: the next marker is seen.
    await admin.create(paths.resize, marker('r2'), 'ephemeral');
    await waitFor('r2 seen', () => seen.at(-1)?.marker === 'r2', { timeoutMs: 5_000 });
  });

  it('reads a marker made while its absence was acted on', async () => {
    let made = false;
    const { admin, paths, seen } = await watched(async (m, a, p, told) => {
      // A new resize begins just as the last one's marker went, before the exists read is answered.
      if (m === null && told > 1 && !made) {
        made = true;
        await a.create(p.resize, marker('r2'), 'ephemeral');
      }
    });
    await admin.create(paths.resize, marker('r1'), 'ephemeral');
    await waitFor('r1 seen', () => seen.some((s) => s.marker === 'r1'), { timeoutMs: 5_000 });
    await admin.remove(paths.resize, -1);
    await waitFor('r2 seen after the deletion', () => seen.at(-1)?.marker === 'r2', { timeoutMs: 5_000 });
    expect(seen.map((s) => s.marker)).toEqual([null, 'r1', null, 'r2']);
  });
});
