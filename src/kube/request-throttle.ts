// Client-side rate limit (QPS with a burst, as client-go's token bucket) with two priorities.
// Requests that make the cluster what the user asked for (lists, watches, applies) go first; status
// writes and Events are `low`: under a burst they wait until the work in front of them is sent, so 1000
// new ModelDeployments get their children at the speed of a bare client instead of sharing the budget
// with status writes and Events. `low` is never starved: while both wait, every `lowShareEvery`-th token goes to
// the oldest low request. Waiting requests are granted in order within a priority.
import { TokenBucket } from './token-bucket.ts';
import { realClock, type Clock } from './work-queue.ts';

export type RequestPriority = 'normal' | 'low';

export interface RequestThrottleOptions {
  readonly qps: number;
  readonly burst: number;
  /** While both priorities wait, one token in this many goes to `low` (default 10). */
  readonly lowShareEvery?: number;
  readonly clock?: Clock;
}

export class RequestThrottle {
  private readonly bucket: TokenBucket;
  private readonly lowShareEvery: number;
  private readonly clock: Clock;
  private readonly waiting: Record<RequestPriority, (() => void)[]> = { normal: [], low: [] };
  /** Tokens granted to `normal` in a row while `low` was waiting. */
  private normalStreak = 0;
  private timer: unknown;

  constructor(options: RequestThrottleOptions) {
    if (!(options.qps > 0)) throw new RangeError(`a request throttle needs qps > 0, got ${options.qps}`);
    this.lowShareEvery = Math.max(1, Math.floor(options.lowShareEvery ?? 10));
    this.clock = options.clock ?? realClock;
    const clock = this.clock;
    this.bucket = new TokenBucket(options.qps, options.burst, () => clock.now());
  }

  /** Resolves when the request may be sent. */
  take(priority: RequestPriority = 'normal'): Promise<void> {
    if (this.waiting.normal.length === 0 && this.waiting.low.length === 0 && this.bucket.tryTake()) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting[priority].push(resolve);
      this.schedule();
    });
  }

  /** Requests waiting for a token, per priority (for tests and metrics). */
  get queued(): Readonly<Record<RequestPriority, number>> {
    return { normal: this.waiting.normal.length, low: this.waiting.low.length };
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = this.bucket.msUntilToken();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.grant();
    }, wait);
  }

  private grant(): void {
    while (this.waiting.normal.length > 0 || this.waiting.low.length > 0) {
      if (!this.bucket.tryTake()) break;
      this.nextWaiter()?.();
    }
    if (this.waiting.normal.length > 0 || this.waiting.low.length > 0) this.schedule();
  }

  private nextWaiter(): (() => void) | undefined {
    const lowWaits = this.waiting.low.length > 0;
    if (this.waiting.normal.length > 0 && !(lowWaits && this.normalStreak >= this.lowShareEvery - 1)) {
      this.normalStreak = lowWaits ? this.normalStreak + 1 : 0;
      return this.waiting.normal.shift();
    }
    this.normalStreak = 0;
    return this.waiting.low.shift();
  }
}
