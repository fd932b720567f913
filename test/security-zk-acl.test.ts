// ZooKeeper ACLs: a group created with --zk-auth is writable by that digest
// identity only. A client without the credentials (or with another password)
// cannot change the assignment, leases, offsets or config, nor delete or add
// a member, while the authenticated group consumes normally; a process
// refuses to run on a group whose nodes are less protected than requested.
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ZkSession, ZK, isZkCode, digestId, encode, zkSecurityOptions, GroupPaths, permsOf } from '../coordinator/index.js';
import { zkConnect, brokers, randomName } from './support/env.js';
import { runCli, ProcSet } from './support/node-process.js';

const procs = new ProcSet();
const sessions: ZkSession[] = [];

afterEach(async () => {
  await procs.stopAll();
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

async function session(auth?: { user: string; password: string }): Promise<ZkSession> {
  const zk = new ZkSession({ connect: zkConnect(), ...zkSecurityOptions(auth) });
  sessions.push(zk);
  await zk.start();
  return zk;
}

async function expectNoAuth(what: string, op: () => Promise<unknown>): Promise<void> {
  let err: unknown;
  try {
    await op();
  } catch (e) {
    err = e;
  }
  expect(isZkCode(err, ZK.NO_AUTH), `${what}: ${String(err)}`).toBe(true);
}

/** Every node under `path` (path included). */
async function walk(zk: ZkSession, path: string): Promise<string[]> {
  const out = [path];
  for (const c of await zk.getChildren(path)) out.push(...(await walk(zk, `${path}/${c}`)));
  return out;
}

function creds() {
  return { user: `u${randomBytes(3).toString('hex')}`, password: `p:${randomBytes(9).toString('base64')}` };
}

interface AclGroupStatus {
  converged: boolean;
  pollers: { id: string }[];
  assignment: { committed: string | null }[];
}

/** Authenticated `status --json`, read until the group has converged with all 100 messages committed (60 s at most). */
async function statusOnceAllCommitted(root: string, group: string, env: Record<string, string>): Promise<AclGroupStatus> {
  let s: AclGroupStatus | undefined;
  for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((r) => setTimeout(r, 300))) {
    const r = await runCli(['status', '--zk', zkConnect(), '--zk-root', root, '--group', group, '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    s = JSON.parse(r.stdout);
    if (s!.converged && s!.assignment.reduce((a, x) => a + Number(x.committed ?? 0), 0) === 100) break;
  }
  return s!;
}

/** Every node of the group, and the shared root, carry the identity's ACL. */
async function expectIdentityAclEverywhere(owner: ZkSession, root: string, paths: GroupPaths, user: string, password: string): Promise<void> {
  const nodes = await walk(owner, paths.base);
  for (const p of ['config', 'assignment', 'pollers/p1', 'leases/0', 'offsets/0']) expect(nodes).toContain(`${paths.base}/${p}`);
  expect(nodes.some((n) => n.startsWith(`${paths.leader}/n_`))).toBe(true);
  for (const node of nodes) {
    const { acls } = await owner.getACL(node);
    const got = acls.map((a) => `${a.id.scheme}:${a.id.id}:${permsOf(a)}`).sort();
    expect(got, node).toEqual([`digest:${digestId(user, password)}:31`, 'world:anyone:1'].sort());
  }
  // The shared root lets other groups (other identities) create their node, nothing else.
  const rootAcl = (await owner.getACL(root)).acls;
  expect(rootAcl.map((a) => `${a.id.scheme}:${a.id.id}:${permsOf(a)}`).sort()).toEqual([`digest:${digestId(user, password)}:31`, 'world:anyone:5'].sort());
}

/** A session without the identity reads the group but can change, delete or add nothing in it. */
async function expectStrangerCannotWrite(stranger: ZkSession, paths: GroupPaths, topic: string): Promise<void> {
  const offset = await stranger.getData(paths.offset(0)); // reading is allowed (--zk-acl-read world)
  const lease = await stranger.getData(paths.lease(0));
  const assignment = await stranger.getData(paths.assignment);
  await expectNoAuth('set assignment', () => stranger.setData(paths.assignment, encode({ ...JSON.parse(assignment.data.toString()), epoch: 999_999 })));
  const [someone] = await stranger.getChildren(paths.assignment);
  expect(someone).toBeDefined();
  await expectNoAuth('set a poller\'s ranges', () => stranger.setData(paths.memberAssignment(someone!), encode({ epoch: 999_999, ranges: '0-3', prev: { epoch: 0, ranges: '' } })));
  await expectNoAuth('give a poller ranges', () => stranger.create(paths.memberAssignment('evil'), encode({ epoch: 999_999, ranges: '0-3', prev: { epoch: 0, ranges: '' } })));
  await expectNoAuth('set lease', () => stranger.setData(paths.lease(0), lease.data));
  await expectNoAuth('delete lease', () => stranger.remove(paths.lease(0)));
  await expectNoAuth('create lease', () => stranger.create(paths.lease(99), encode({ poller: 'evil', epoch: 1, at: 'x' })));
  await expectNoAuth('set offset', () => stranger.setData(paths.offset(0), encode({ ...JSON.parse(offset.data.toString()), offset: '0' })));
  await expectNoAuth('delete offset', () => stranger.remove(paths.offset(0)));
  await expectNoAuth('set config', () => stranger.setData(paths.config, encode({ version: 1, topic, ranges: 8 })));
  await expectNoAuth('delete member', () => stranger.remove(paths.poller('p1')));
  await expectNoAuth('drain member', () => stranger.setData(paths.poller('p1'), Buffer.from('{}')));
  await expectNoAuth('join as member', () => stranger.create(paths.poller('evil'), encode({ id: 'evil' }), 'ephemeral'));
  await expectNoAuth('run for leader', () => stranger.create(`${paths.leader}/n_`, Buffer.alloc(0), 'ephemeral-sequential'));
  await expectNoAuth('change ACL', () => stranger.setACL(paths.base, zkSecurityOptions(creds()).acls!));
}

/** The CLI without the identity's credentials is refused with one line naming NO_AUTH. */
async function expectCliWithoutCredentialsRefused(root: string, group: string, topic: string): Promise<void> {
  // Drain cannot touch the member (one line, exit 1).
  const drain = await runCli(['drain', '--zk', zkConnect(), '--zk-root', root, '--group', group, 'p1', '--no-wait']);
  expect(drain.code).toBe(1);
  expect(drain.stderr.trim().split('\n').pop()).toMatch(/^ringleader: .*NO_AUTH.* \(the group is protected by ZooKeeper ACLs: pass its identity with --zk-auth/);
  // Nor can a poller without them join (it fails at once, one line).
  const intruder = await runCli(['poller', '--zk', zkConnect(), '--zk-root', root, '--group', group, '--brokers', brokers().join(','), '--topic', topic, '--id', 'intruder'], { timeoutMs: 60_000 });
  expect(intruder.code).toBe(1);
  expect(intruder.stderr.trim().split('\n').pop()).toMatch(/^ringleader: NO_AUTH at .*\/pollers\/intruder.*--zk-auth/);
}

describe('ZooKeeper ACLs (--zk-auth): writes', () => {
  it('only the identity may write; the authenticated group consumes normally', async () => {
    const { user, password } = creds();
    const group = randomName('acl');
    const topic = randomName('acl-t');
    const env = { RINGLEADER_ZK_AUTH: `${user}:${password}` };
    const root = `/${randomName('rlacl')}`; // our own root, so we create it
    const paths = new GroupPaths(group, root);

    const created = await runCli(['create', '--zk', zkConnect(), '--zk-root', root, '--group', group, '--brokers', brokers().join(','), '--topic', topic, '--ranges', '4'], { env });
    expect(created.code, created.stderr).toBe(0);
    const produced = await runCli(['produce', '--brokers', brokers().join(','), '--topic', topic, '--count', '100', '--keys', '10']);
    expect(produced.code, produced.stderr).toBe(0);

    const poller = procs.start('p1', ['poller', '--zk', zkConnect(), '--zk-root', root, '--group', group, '--brokers', brokers().join(','), '--topic', topic,
      '--id', 'p1', '--commit-interval', '100', '--log-level', 'debug'], env);
    await poller.started(60_000);

    // Authenticated status sees the group converge and everything committed.
    const s = await statusOnceAllCommitted(root, group, env);
    expect(s.converged).toBe(true);
    expect(s.pollers.map((p) => p.id)).toEqual(['p1']);
    expect(s.assignment.reduce((a, x) => a + Number(x.committed ?? 0), 0)).toBe(100);

    // Every node of the group carries the identity's ACL: all for it, read for the world.
    const owner = await session({ user, password });
    await expectIdentityAclEverywhere(owner, root, paths, user, password);

    // Strangers: no credentials, and the same user with another password.
    for (const stranger of [await session(), await session({ user, password: `${password}x` })]) await expectStrangerCannotWrite(stranger, paths, topic);
    await expectCliWithoutCredentialsRefused(root, group, topic);
    // Nothing changed: the poller still holds its ranges, offsets intact.
    const after = await runCli(['status', '--zk', zkConnect(), '--zk-root', root, '--group', group, '--json'], { env });
    const s2 = JSON.parse(after.stdout) as AclGroupStatus & { problems: unknown[] };
    expect(s2!.converged).toBe(true);
    expect(s2!.problems).toEqual([]);
    expect(s2!.assignment.reduce((a, x) => a + Number(x.committed ?? 0), 0)).toBe(100);

    // With the credentials, drain works as usual.
    const drainOk = await runCli(['drain', '--zk', zkConnect(), '--zk-root', root, '--group', group, 'p1', '--timeout', '60000'], { env });
    expect(drainOk.code, drainOk.stderr).toBe(0);
    expect(JSON.parse(drainOk.stdout)).toMatchObject({ poller: 'p1', drained: true });
    expect((await poller.waitExit(30_000)).code).toBe(0);
    expect(poller.stderr).not.toContain(password);
  }, 180_000);
});

describe('ZooKeeper ACLs (--zk-auth): reads and weaker ACLs', () => {
  it('--zk-acl-read auth: strangers cannot even read', async () => {
    const { user, password } = creds();
    const group = randomName('acl-r');
    const r = await runCli(['create', '--zk', zkConnect(), '--group', group, '--topic', 't', '--ranges', '2', '--zk-auth', `${user}:${password}`, '--zk-acl-read', 'auth']);
    expect(r.code, r.stderr).toBe(0);
    const paths = new GroupPaths(group);
    const stranger = await session();
    await expectNoAuth('read config', () => stranger.getData(paths.config));
    await expectNoAuth('read assignment', () => stranger.getData(paths.assignment));
    await expectNoAuth('list pollers', () => stranger.getChildren(paths.pollers));
    const st = await runCli(['status', '--zk', zkConnect(), '--group', group, '--json']);
    expect(st.code).toBe(1);
    expect(st.stderr.trim().split('\n')).toHaveLength(1);
    const file = join(mkdtempSync(join(tmpdir(), 'ringleader-acl-')), 'zk-auth');
    writeFileSync(file, `${user}:${password}\n`, { mode: 0o600 });
    const owner = await runCli(['status', '--zk', zkConnect(), '--group', group, '--json', '--zk-auth-file', file, '--zk-acl-read', 'auth']);
    rmSync(dirname(file), { recursive: true, force: true });
    expect(owner.code, owner.stderr).toBe(0);
    expect(JSON.parse(owner.stdout)).toMatchObject({ group, ranges: 2 });
    expect(owner.stdout).not.toContain(password);
    // Asking for world-readable on an auth-only group is not weaker: it runs.
    const wider = await runCli(['status', '--zk', zkConnect(), '--group', group, '--json', '--zk-auth', `${user}:${password}`]);
    expect(wider.code, wider.stderr).toBe(0);
  });

  it('refuses to run on a group with a weaker ACL, or with another password', async () => {
    const { user, password } = creds();
    const open = randomName('acl-open');
    const c1 = await runCli(['create', '--zk', zkConnect(), '--group', open, '--topic', 't', '--ranges', '2']);
    expect(c1.code, c1.stderr).toBe(0);
    const auth = ['--zk-auth', `${user}:${password}`];
    for (const cmd of [
      ['create', '--zk', zkConnect(), '--group', open, '--topic', 't', '--ranges', '2', ...auth],
      ['status', '--zk', zkConnect(), '--group', open, ...auth],
      ['coordinator', '--zk', zkConnect(), '--group', open, ...auth],
      ['watch', '--zk', zkConnect(), '--group', open, '--duration', '100', ...auth],
      ['drain', '--zk', zkConnect(), '--group', open, 'x', ...auth],
      ['poller', '--zk', zkConnect(), '--group', open, '--brokers', brokers().join(','), '--topic', 't', ...auth],
    ]) {
      const r = await runCli(cmd, { timeoutMs: 30_000 });
      expect(r.code, `${cmd[0]}: ${r.stderr}`).toBe(1);
      expect(r.stderr.trim().split('\n').pop(), cmd[0]).toMatch(/^ringleader: group ".*": \/ringleader\/.* has a weaker ACL than requested \(world:anyone may cdrwa\); refusing to run/);
      expect(r.stderr, cmd[0]).not.toContain(password);
    }

    // A stricter read ACL was asked for than the group has: weaker too.
    const mine = randomName('acl-mine');
    expect((await runCli(['create', '--zk', zkConnect(), '--group', mine, '--topic', 't', '--ranges', '2', ...auth])).code).toBe(0);
    const stricter = await runCli(['status', '--zk', zkConnect(), '--group', mine, ...auth, '--zk-acl-read', 'auth']);
    expect(stricter.code).toBe(1);
    expect(stricter.stderr).toMatch(/world:anyone may r\)/);
    const wrong = await runCli(['status', '--zk', zkConnect(), '--group', mine, '--zk-auth', `${user}:nope`]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toMatch(/^ringleader: .*belongs to ZooKeeper user ".*" with another password \(wrong --zk-auth password\?\)$/);
    const bad = await runCli(['status', '--zk', zkConnect(), '--group', mine, '--zk-auth', 'no-colon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('ringleader: --zk-auth: ZooKeeper credentials must look like user:password');
  });
});
