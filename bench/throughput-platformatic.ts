/**
 * The plain @platformatic/kafka consumer of the overhead comparison: its own
 * consumer group, the idiomatic message stream from the earliest offset, no
 * processing, no commits, the same fetch settings as the poller's sources
 * (FETCH_DEFAULTS). Timed like the plain kafkajs consumer: from its group
 * join to its last message.
 */
import { randomBytes } from 'node:crypto';
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { FETCH_DEFAULTS } from '../poller/index.js';
import { consumeTiming, consumeWithWindow, type ConsumeGoal, type ConsumeTiming } from './throughput-overhead.js';

export async function runPlainPlatformatic(brokers: string[], topic: string, goal: ConsumeGoal): Promise<ConsumeTiming> {
  const { expected } = goal;
  const consumer = new Consumer({
    clientId: 'ringleader-bench-plain',
    bootstrapBrokers: brokers,
    groupId: `ringleader-bench-plain-${randomBytes(4).toString('hex')}`,
    autocreateTopics: false,
    maxBytesPerPartition: FETCH_DEFAULTS.maxBytesPerPartition,
    maxBytes: FETCH_DEFAULTS.maxBytes,
    minBytes: FETCH_DEFAULTS.minBytes,
    maxWaitTime: FETCH_DEFAULTS.maxWaitTimeInMs,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let tReady = 0;
  consumer.on('consumer:group:join', () => {
    if (tReady === 0) tReady = performance.now();
  });
  let seen = 0;
  try {
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
    const done = new Promise<number>((resolve, reject) => {
      stream.on('data', () => {
        if (++seen === expected) resolve(performance.now());
      });
      stream.on('error', reject);
    });
    const { tEnd, steady } = await consumeWithWindow(goal, { count: () => seen, ready: () => tReady !== 0 }, done, () => `plain platformatic consumer saw ${seen}/${expected} messages`);
    return consumeTiming(seen, t0, tReady, tEnd, process.cpuUsage(cpu0), steady);
  } finally {
    await consumer.close(true).catch(() => undefined);
  }
}
