import { fileURLToPath } from 'node:url';
import { ControlledChild } from '../../infra/child-process.js';
import { RECORD_ENV, type KafkaClientName } from '../../poller/index.js';

export interface PollerProcessOptions {
  id: string;
  zk: string;
  brokers: string[];
  group: string;
  topic: string;
  sessionTimeoutMs: number;
  drainTimeoutMs: number;
  /** This poller's append-only records file. */
  recordsFile: string;
  /** stdout and stderr (pino JSON) of the poller go here. */
  logFile: string;
  kafkaClient: KafkaClientName;
}

const mainJs = fileURLToPath(new URL('../main.js', import.meta.url));
/** The recording handler: the demo counts handled, lost and duplicated messages from its records. */
const handlerJs = fileURLToPath(new URL('../../poller/handlers/recording-handler.js', import.meta.url));

/**
 * One `ringleader poller` child process of the demo, tied to the demo so that
 * no poller can outlive it, even when the demo itself is killed with SIGKILL.
 */
export class PollerProcess extends ControlledChild {
  readonly id: string;

  constructor(readonly options: PollerProcessOptions) {
    super({
      name: options.id,
      command: process.execPath,
      args: [
        mainJs, 'poller',
        '--zk', options.zk,
        '--brokers', options.brokers.join(','),
        '--group', options.group,
        '--topic', options.topic,
        '--id', options.id,
        '--handler', handlerJs,
        '--session-timeout', String(options.sessionTimeoutMs),
        '--drain-timeout', String(options.drainTimeoutMs),
        '--kafka-client', options.kafkaClient,
      ],
      logFile: options.logFile,
      env: {
        ...process.env,
        [RECORD_ENV.file]: options.recordsFile,
        [RECORD_ENV.poller]: options.id,
        // A little simulated I/O per message.
        [RECORD_ENV.delayMs]: '1',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
    });
    this.id = options.id;
  }
}
