import type { Logger } from 'pino';
import { createPoller, loadModuleHandler, createHttpHandler, type Handler, type KafkaClientName } from '../../poller/index.js';
import { onStopSignals, exitIfStopOverruns } from '../signals.js';
import { zkSecurity, kafkaSecurityFrom, type ZkAuthFlags, type KafkaAuthFlags } from '../secrets.js';

/** Beyond the poller's own stop bound, before the process is ended regardless. */
const STOP_MARGIN_MS = 5_000;

export interface PollerActionOptions extends ZkAuthFlags, KafkaAuthFlags {
  zk: string;
  zkRoot: string;
  connectTimeout: number;
  group: string;
  brokers: string[];
  topic: string;
  id?: string;
  weight: number;
  handler?: string;
  forward?: string;
  forwardTimeout: number;
  concurrency: number;
  maxInFlight?: number;
  maxAttempts: number;
  sessionTimeout: number;
  commitInterval: number;
  drainTimeout: number;
  fetchStallTimeout?: number;
  kafkaRequestTimeout: number;
  handlerStallTimeout?: number;
  settle: number;
  metricsPort?: number;
  coordinator: boolean;
  from: 'earliest' | 'latest';
  kafkaClient: KafkaClientName;
}

/** `ringleader poller`: runs until SIGTERM/SIGINT or `ringleader drain`, then drains and exits 0. */
export async function runPoller(o: PollerActionOptions, log: Logger): Promise<void> {
  const zkSec = zkSecurity(o);
  const kafkaSecurity = kafkaSecurityFrom(o);
  let handler: Handler | undefined;
  let closeHandler: (() => void) | undefined;
  let handlerProbe: (() => Promise<boolean>) | undefined;
  if (o.handler) {
    handler = await loadModuleHandler(o.handler);
  } else if (o.forward) {
    const http = createHttpHandler({ url: o.forward, timeoutMs: o.forwardTimeout, logger: log });
    handler = http.handle;
    closeHandler = () => http.close();
    handlerProbe = () => http.probe();
  }
  const poller = createPoller({
    zk: o.zk,
    zkRoot: o.zkRoot,
    connectTimeoutMs: o.connectTimeout,
    group: o.group,
    brokers: o.brokers,
    topic: o.topic,
    ...(o.id ? { id: o.id } : {}),
    weight: o.weight,
    ...(handler ? { handler } : {}),
    ...(closeHandler ? { closeHandler } : {}),
    concurrency: o.concurrency,
    ...(o.maxInFlight !== undefined ? { maxInFlight: o.maxInFlight } : {}),
    maxAttempts: o.maxAttempts,
    sessionTimeoutMs: o.sessionTimeout,
    commitIntervalMs: o.commitInterval,
    drainTimeoutMs: o.drainTimeout,
    kafkaRequestTimeoutMs: o.kafkaRequestTimeout,
    ...(o.fetchStallTimeout !== undefined ? { fetchStallTimeoutMs: o.fetchStallTimeout } : {}),
    ...(o.handlerStallTimeout !== undefined ? { handlerStallTimeoutMs: o.handlerStallTimeout } : {}),
    ...(handlerProbe ? { handlerProbe } : {}),
    settleMs: o.settle,
    coordinator: o.coordinator,
    ...(o.metricsPort !== undefined ? { metricsPort: o.metricsPort } : {}),
    from: o.from,
    kafkaClient: o.kafkaClient,
    logger: log,
    zkSecurity: zkSec,
    ...(kafkaSecurity ? { kafkaSecurity } : {}),
  });
  const stopped = new Promise<void>((resolve, reject) => {
    poller.once('closed', (err?: unknown) => (err ? reject(err) : resolve()));
  });
  // Whatever starts the stop (a signal, `ringleader drain`), it ends in bound.
  let disarm: (() => void) | undefined;
  poller.once('closing', () => (disarm = exitIfStopOverruns(poller.stopBoundMs + STOP_MARGIN_MS, log)));
  const removeSignals = onStopSignals((signal) => {
    log.info({ signal }, 'stop requested: draining (send again to exit at once)');
    void poller.close();
  }, log);
  try {
    await poller.start();
    await stopped;
  } finally {
    removeSignals();
    disarm?.();
  }
}
