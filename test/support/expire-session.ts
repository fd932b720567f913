// Expiring a ZooKeeper session on purpose, as if its process had been silent
// for a session timeout.
import zookeeper from 'node-zookeeper-client';
import type { Client } from 'node-zookeeper-client';
import type { ZkSession } from '../../coordinator/index.js';
import { sleep } from './wait-for.js';

/**
 * Makes the server expire `zk`'s current session, as if the process had been
 * silent for a session timeout: a second client attaches to the same session
 * (id + password) and closes it. Resolves when the owner has seen `expired`.
 *
 * Attaching kicks the owner's connection, and the owner reconnects at once
 * (node-zookeeper-client does not wait before retrying a server it was just
 * connected to): when it gets back before the close lands, the close is lost
 * with the second client's connection. That race is lost one time in a few,
 * sometimes several times in a row, so this tries again every half second.
 * If the close lands while the owner's connection survives it, the server
 * drops the owner's requests unanswered and ZkSession finds out after its read
 * timeout.
 */
export async function expireSession(zk: ZkSession, connect: string, withinMs = 20_000): Promise<void> {
  let expired = false;
  const onState = (s: { type: string }) => {
    if (s.type === 'expired') expired = true;
  };
  zk.on('state', onState);
  const until = Date.now() + withinMs;
  let attempts = 0;
  try {
    while (!expired && Date.now() < until) {
      attempts++;
      await closeSessionFromOutside(zk, connect);
      const next = Math.min(until, Date.now() + 500);
      while (!expired && Date.now() < next) await sleep(20);
    }
  } finally {
    zk.off('state', onState);
  }
  if (!expired) throw new Error(`could not expire session ${zk.sessionId} in ${withinMs} ms (${attempts} attempts)`);
}

async function closeSessionFromOutside(zk: ZkSession, connect: string): Promise<void> {
  const own = (zk as unknown as { client: Client | null }).client;
  if (!own) throw new Error('session not started');
  const intruder = zookeeper.createClient(connect, {
    sessionTimeout: zk.sessionTimeoutMs,
    sessionId: own.getSessionId(),
    sessionPassword: own.getSessionPassword(),
  } as unknown as Parameters<typeof zookeeper.createClient>[1]);
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('could not attach to the session to expire it')), 10_000);
      intruder.once('connected', () => {
        clearTimeout(t);
        resolve();
      });
      intruder.once('expired', () => {
        clearTimeout(t);
        resolve();
      });
      intruder.connect();
    });
  } finally {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3_000);
      intruder.once('disconnected', () => {
        clearTimeout(t);
        resolve();
      });
      intruder.close();
    });
  }
}
