// Client-side rate limit (QPS with a burst), as client-go's flowcontrol token bucket: the one bucket
// behind the request throttle, the work queue's retry limit and the event recorder's write budget.
import { boundedTimeout } from './timer-delay.ts';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly now: () => number;

  constructor(qps: number, burst: number, now: () => number = () => performance.now()) {
    if (!(qps > 0)) throw new RangeError(`a token bucket needs qps > 0, got ${qps}`);
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.now = now;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  /** Milliseconds to wait before the next request may go; reserves its token (the bucket may go negative). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes a token only if `atLeast` tokens (default 1) are there now. */
  tryTake(atLeast = 1): boolean {
    this.refill();
    if (this.tokens < atLeast) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until `atLeast` whole tokens (default 1) are there (0 if they are). */
  msUntilToken(atLeast = 1): number {
    this.refill();
    return this.tokens >= atLeast ? 0 : ((atLeast - this.tokens) / this.qps) * 1000;
  }

  async take(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await new Promise<void>((r) => boundedTimeout(r, wait));
  }
}
