import kafkajs from 'kafkajs';
import zookeeper from 'node-zookeeper-client';
import { InfraError } from './errors.js';
import { fourLetterWord, parseSrvr } from './four-letter-word.js';
import type { Exit } from './jvm-process.js';

const { Kafka, logLevel } = kafkajs;

export interface ReadinessOptions {
  timeoutMs: number;
  /** Where to send the reader when it fails. */
  logFile: string;
  /** Resolves if the server process exits first, so we fail at once instead of timing out. */
  exited?: Promise<Exit>;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A real ZooKeeper session (not just a TCP connect), opened only once the
 * `srvr` command says the server serves. Closing a node-zookeeper-client
 * while its handshake is pending makes it misread the late reply and throw an
 * uncaught error, and a node outside the quorum holds handshakes for seconds.
 */
export async function zooKeeperAnswers(connectString: string, timeoutMs = 5_000): Promise<boolean> {
  const servers = connectString.split(',').map((hostPort) => {
    const i = hostPort.lastIndexOf(':');
    return { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
  });
  const serving = await Promise.all(
    servers.map(({ host, port }) =>
      fourLetterWord(host, port, 'srvr', timeoutMs).then((text) => parseSrvr(text) !== undefined, () => false),
    ),
  );
  if (!serving.some(Boolean)) return false;
  return new Promise((resolve) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 4_000, retries: 0 });
    const timer = setTimeout(() => {
      client.close();
      resolve(false);
    }, timeoutMs);
    client.once('connected', () => {
      client.exists('/', (err) => {
        clearTimeout(timer);
        client.close();
        resolve(!err);
      });
    });
    client.connect();
  });
}

/** A metadata round trip (describeCluster) through a kafkajs admin client. */
export async function kafkaAnswers(brokers: string[], timeoutMs = 5_000, sasl?: { username: string; password: string }, ssl?: { ca: string }): Promise<boolean> {
  const admin = new Kafka({
    ...(ssl ? { ssl: { ca: [ssl.ca] } } : {}),
    ...(sasl ? { sasl: { mechanism: 'plain' as const, username: sasl.username, password: sasl.password } } : {}),
    clientId: 'ringleader-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3_000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function waitUntil(what: string, probe: () => Promise<boolean>, options: ReadinessOptions): Promise<void> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + options.timeoutMs;
  let exit: Exit | undefined;
  void options.exited?.then((e) => (exit = e));
  for (;;) {
    if (exit) {
      throw new InfraError(`${what} exited during startup (code ${exit.code}, signal ${exit.signal}); see ${options.logFile}`);
    }
    if (await probe()) return;
    if (Date.now() >= deadline) {
      throw new InfraError(`${what} did not become ready within ${Math.round(options.timeoutMs / 1000)} s; see ${options.logFile}`);
    }
    await sleep(250);
  }
}

export function waitForZooKeeper(connectString: string, options: ReadinessOptions): Promise<void> {
  return waitUntil(`ZooKeeper ${connectString}`, () => zooKeeperAnswers(connectString), options);
}

export function waitForKafka(brokers: string[], options: ReadinessOptions & { sasl?: { username: string; password: string }; ssl?: { ca: string } }): Promise<void> {
  return waitUntil(`Kafka ${brokers.join(',')}`, () => kafkaAnswers(brokers, undefined, options.sasl, options.ssl), options);
}
