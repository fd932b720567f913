import type { SourceHealth } from '../range-source.js';

/**
 * Whether the consumer is in its group and hearing from brokers: connected
 * means joined and a broker reply (fetch or heartbeat) within `staleAfterMs`.
 * The last error stays reported after a recovery, for the operator.
 */
export class ConsumerHealth {
  private joined = false;
  private lastReplyAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly staleAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  joinedGroup(): void {
    this.joined = true;
    this.lastReplyAt = this.now();
  }

  brokerReplied(): void {
    this.lastReplyAt = this.now();
  }

  /** The consumer stopped (kafkajs crashed); it is out of its group until the next join. */
  crashed(error: Error): void {
    this.joined = false;
    this.failed(error);
  }

  failed(error: unknown): void {
    this.lastError = describe(error);
  }

  requestTimedOut(apiName: string, broker: string): void {
    this.lastError = `request timeout: ${apiName} to ${broker}`;
  }

  /** `started`: the source finished start() and is not closed. */
  report(started: boolean): SourceHealth {
    const heardAt = this.lastReplyAt;
    const connected = started && this.joined && heardAt !== undefined && this.now() - heardAt < this.staleAfterMs;
    const report: SourceHealth = { connected };
    if (heardAt !== undefined) report.lastReplyAt = heardAt;
    if (this.lastError !== undefined) report.lastError = this.lastError;
    return report;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
