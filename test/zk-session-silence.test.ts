// node-zookeeper-client has no read timeout: a server that stops answering
// while the TCP connection stays up leaves the client "connected" forever,
// and the session then expires on the server although another server of the
// ensemble could have kept it. ZkSession drops such a connection after the
// Java client's read timeout (2/3 of the session timeout) so the session
// moves on; likewise a server that accepts a connection and never answers
// the handshake (a SIGSTOPped server still accepts TCP connections). Two
// stalling proxies in front of the real server play two ensemble members.
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupConfig, GroupPaths, Membership, ZkSession, type SessionState } from '../coordinator/index.js';
import { randomName } from './support/env.js';
import { zkConnect } from './support/env.js';
import { StallProxy } from './support/stall-proxy.js';
import { waitFor } from './support/wait-for.js';

const SESSION_TIMEOUT_MS = 6_000;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A session through two stalling proxies in front of the real server; `inUse` is the one it connected through. */
async function twoServers(opTimeoutMs = 1_000, now?: () => number) {
  const chroot = zkConnect().includes('/') ? zkConnect().slice(zkConnect().indexOf('/')) : '';
  const proxies = [new StallProxy(zkConnect()), new StallProxy(zkConnect())];
  const addresses = [await proxies[0]!.start(), await proxies[1]!.start()];
  cleanup.push(async () => void (await Promise.all(proxies.map((p) => p.close()))));
  const zk = new ZkSession({ connect: `${addresses.join(',')}${chroot}`, sessionTimeoutMs: SESSION_TIMEOUT_MS, opTimeoutMs, ...(now ? { now } : {}) });
  cleanup.push(() => zk.close());
  const states: (SessionState & { at: number })[] = [];
  zk.on('state', (s) => states.push({ ...s, at: Date.now() }));
  await zk.start();
  const inUse = proxies.find((p) => p.openSockets > 0)!;
  expect(inUse).toBeDefined();
  return { zk, states, inUse, other: proxies.find((p) => p !== inUse)! };
}

describe('ZkSession on a ZooKeeper server that goes silent (real ZooKeeper): the connection moves on', () => {
  it('drops the silent connection after the read timeout and keeps the session through the other server', async () => {
    const { zk, states, inUse } = await twoServers();
    const sessionId = zk.sessionId;
    const stalledAt = Date.now();
    inUse.stall();

    const reconnected = await waitFor('the session to come back through the other server', () => states.find((s) => s.type === 'reconnected'), { timeoutMs: SESSION_TIMEOUT_MS });
    const dropped = states.find((s) => s.type === 'disconnected')!;
    console.log(`[silence] dropped after ${dropped.at - stalledAt} ms, reconnected after ${reconnected.at - stalledAt} ms (read timeout ${zk.readTimeoutMs} ms)`);
    // Not before the read timeout (pings every 1/3 of it keep a healthy connection)...
    expect(dropped.at - stalledAt).toBeGreaterThanOrEqual(zk.readTimeoutMs - SESSION_TIMEOUT_MS / 3 - 100);
    // ...and in time for the server not to expire the session.
    expect(reconnected.at - stalledAt).toBeLessThan(SESSION_TIMEOUT_MS);
    expect(reconnected).toMatchObject({ sessionId });
    expect(states.some((s) => s.type === 'expired')).toBe(false);
    await zk.exists('/');
    expect(zk.withinDeadline()).toBe(true);
  });

  it('leaves a server that accepts the reconnect but never answers it, and keeps the session through the other', async () => {
    const { zk, states, inUse, other } = await twoServers();
    const sessionId = zk.sessionId;
    other.stall(); // new connections to it are accepted, then nothing moves
    const droppedAt = Date.now();
    inUse.dropConnections(); // the library reconnects to the next server: the silent one
    const reconnected = await waitFor('the session to come back through the first server', () => states.find((s) => s.type === 'reconnected'), { timeoutMs: SESSION_TIMEOUT_MS });
    console.log(`[silence] handshake left, reconnected after ${reconnected.at - droppedAt} ms (handshake timeout ${SESSION_TIMEOUT_MS / 2} ms)`);
    expect(reconnected).toMatchObject({ sessionId });
    expect(reconnected.at - droppedAt).toBeGreaterThanOrEqual(SESSION_TIMEOUT_MS / 2 - 100);
    expect(states.some((s) => s.type === 'expired')).toBe(false);
    await zk.exists('/');
  });

  it('a read caught by the dropped connection is sent again once the session is back, within its timeout', async () => {
    // A process starting up during a ZooKeeper hiccup (reading its group's
    // config) must not die of CONNECTION_LOSS: a chaos run lost a coordinator so.
    const { zk, inUse } = await twoServers(SESSION_TIMEOUT_MS);
    const t0 = Date.now();
    inUse.stall();
    const node = await zk.getData('/');
    console.log(`[silence] read answered after ${Date.now() - t0} ms, through the other server`);
    expect(node.stat).toBeDefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(zk.readTimeoutMs - 100);
  });

  it('an ensure caught by the dropped connection is sent again: the node is there, and a second ensure is a no-op', async () => {
    // `resize` ensures producers/ and pollers/ before its marker: a chaos run lost a resize to CONNECTION_LOSS there.
    const { zk, inUse } = await twoServers(SESSION_TIMEOUT_MS);
    const path = `/${randomName('ensure')}`;
    cleanup.push(() => zk.remove(path).catch(() => undefined));
    inUse.stall();
    await zk.ensure(path);
    expect(await zk.exists(path)).not.toBeNull();
    await zk.ensure(path);
  });
});

describe('ZkSession on a ZooKeeper server that goes silent (real ZooKeeper): what resumes after it', () => {
  it('a handshake answer read late (after SIGCONT) does not reopen the self-fencing gate; a fresh ping does', async () => {
    // A chaos run: a poller SIGSTOPped mid-reconnect read the server's
    // "session valid" after SIGCONT, resumed its old ranges at once, and its
    // session expired 20 ms later: messages started in leases it had lost.
    let clock = 1_000_000;
    const { zk, states, inUse, other } = await twoServers(1_000, () => clock);
    other.stall(); // the reconnection will wait on it: the handshake is in flight
    inUse.dropConnections();
    await waitFor('the handshake to be under way', () => other.openSockets > 0, { timeoutMs: 5_000 });
    clock += 10_000; // the "SIGSTOP": the answer is read 10 s of our time later
    let atReconnect: boolean | undefined;
    zk.on('state', (s) => {
      if (s.type === 'reconnected') atReconnect = zk.withinDeadline();
    });
    other.resume();
    await waitFor('reconnected', () => states.find((s) => s.type === 'reconnected'), { timeoutMs: SESSION_TIMEOUT_MS });
    expect(atReconnect).toBe(false);
    await waitFor('a ping sent after the reconnect to reopen the gate', () => zk.withinDeadline(), { timeoutMs: 3_000 });
  });

  it('a poller registering while its server goes silent registers through the other one (no CONNECTION_LOSS exit)', async () => {
    // Chaos: two pollers restarted during a frozen ZooKeeper server exited
    // with CONNECTION_LOSS creating their member node.
    const { zk, inUse } = await twoServers(SESSION_TIMEOUT_MS);
    const paths = new GroupPaths(randomName('silent-join'));
    await createGroupConfig(zk, paths, { topic: 't', ranges: 2 });
    const member = new Membership(zk, paths, { id: 'p1', host: 'h', pid: 1, weight: 1, state: 'active', startedAt: new Date().toISOString() });
    cleanup.push(() => member.deregister().catch(() => undefined));
    inUse.stall();
    await member.register();
    const node = await zk.getData(paths.poller('p1'));
    expect(zk.ownsEphemeral(node.stat)).toBe(true);
  });
});
