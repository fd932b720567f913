import type { Logger } from 'pino';
import { RangePipeline, type RangePipelineEvents } from './range-pipeline.js';
import { InFlightBudget } from './in-flight-budget.js';
import { DEFAULT_BACKOFF } from './retry.js';
import type { Handler, RingMessage } from './message.js';
import { createCountingHandler } from './handlers/counting-handler.js';
import type { DeadLetterPublisher } from './dead-letter.js';
import type { PollerOptions } from './poller-options.js';
import type { StallDetector } from './stall-detector.js';

export interface PollerPipelineHooks {
  /** Handler answers and refusals, for the handler-stall check. */
  stalls: StallDetector;
  /** The metrics' own pipeline events. */
  metrics: RangePipelineEvents;
  logger: Logger;
  /** A message is finished: handled, or (`handled` false) dead-lettered. */
  finished: (msg: RingMessage, handled: boolean) => void;
}

/**
 * How a poller builds the RangePipeline of each range it owns: handler,
 * retries and the `--max-in-flight` budget (shared by every range) from the
 * poller's options, and the pipeline's events fed to the metrics, the stall
 * detector and the poller.
 */
export class PollerPipelines {
  private readonly handler: Handler;
  private readonly budget: InFlightBudget | undefined;
  private readonly events: RangePipelineEvents;

  constructor(
    private readonly opts: PollerOptions,
    private readonly hooks: PollerPipelineHooks,
  ) {
    this.handler = opts.handler ?? createCountingHandler().handle;
    this.budget = opts.maxInFlight !== undefined ? new InFlightBudget(opts.maxInFlight) : undefined;
    this.events = pipelineEvents(hooks);
  }

  readonly create = (range: number, canStart: () => boolean, dlq: DeadLetterPublisher): RangePipeline =>
    new RangePipeline({
      range,
      topic: this.opts.topic,
      concurrency: this.opts.concurrency ?? 1,
      maxAttempts: this.opts.maxAttempts ?? 5,
      backoff: this.opts.backoff ?? DEFAULT_BACKOFF,
      handler: this.handler,
      deadLetter: (msg, error, attempts) => dlq.publish(msg, error, attempts),
      canStart,
      ...(this.budget ? { budget: this.budget } : {}),
      logger: this.hooks.logger,
      events: this.events,
    });
}

function pipelineEvents({ stalls, metrics: m, finished }: PollerPipelineHooks): RangePipelineEvents {
  return {
    ...m,
    handled: (msg) => {
      stalls.handlerAnswered();
      finished(msg, true);
      m.handled?.(msg);
    },
    retried: (msg, err) => {
      stalls.handlerAnswered();
      m.retried?.(msg, err);
    },
    deadLettered: (msg, err) => {
      stalls.handlerAnswered();
      finished(msg, false);
      m.deadLettered?.(msg, err);
    },
    unavailable: (_msg, err) => stalls.handlerRefused(err),
  };
}
