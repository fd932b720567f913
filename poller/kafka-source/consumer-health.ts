/**
 * Whether the consumer is in its group and hearing from brokers: connected
 * means joined and a broker reply (fetch or heartbeat) within `staleAfterMs`.
 * The last error stays reported after a recovery, for the operator.
 */
export class ConsumerHealth {
  private joined = false;
  private lastReplyAt = 0;
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
  report(started: boolean): { connected: boolean; lastError?: string } {
    const connected = started && this.joined && this.now() - this.lastReplyAt < this.staleAfterMs;
    return this.lastError === undefined ? { connected } : { connected, lastError: this.lastError };
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
