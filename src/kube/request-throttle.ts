// Client-side rate limit (QPS with a burst, as client-go's token bucket) with two priorities.
// Requests that make the cluster what the user asked for (lists, watches, applies) go first; status
// writes are `low`: under a burst they wait until the work in front of them is sent, so 1000 new
// ModelDeployments get their children at the speed of a bare client instead of sharing the budget with
// status writes. Two rules make that hold:
// - while both wait, `normal` goes first, but every `lowShareEvery`-th token goes to the oldest `low`
//   request, so `low` is never starved;
// - `low` alone takes a token only while `normalReserve` more are left in the bucket: a worker between
//   two applies (rendering, or waiting for an answer) has none waiting, and without the reserve the
//   status writes queued behind it would empty the bucket and its next apply would wait for a token.
//   The reserve refills within reserve / qps seconds, so `low` waits at most that long for it.
// Waiting requests are granted in order within a priority.
import { TokenBucket } from './token-bucket.ts';
import { realClock, type Clock } from './work-queue.ts';

export type RequestPriority = 'normal' | 'low';

export interface RequestThrottleOptions {
  readonly qps: number;
  readonly burst: number;
  /** While both priorities wait, one token in this many goes to `low` (default 10). */
  readonly lowShareEvery?: number;
  /** Tokens `low` leaves in the bucket when no `normal` request waits (default 4, at most burst - 1). */
  readonly normalReserve?: number;
  readonly clock?: Clock;
}

/** The default reserve: one apply per worker of the default 4 can go at once. */
const DEFAULT_NORMAL_RESERVE = 4;

export class RequestThrottle {
  private readonly bucket: TokenBucket;
  private readonly lowShareEvery: number;
  private readonly normalReserve: number;
  private readonly clock: Clock;
  private readonly waiting: Record<RequestPriority, (() => void)[]> = { normal: [], low: [] };
  /** Tokens granted to `normal` in a row while `low` was waiting. */
  private normalStreak = 0;
  private timer: unknown;
  /** The tokens the pending timer waits for. */
  private timerFor = 0;

  constructor(options: RequestThrottleOptions) {
    if (!(options.qps > 0)) throw new RangeError(`a request throttle needs qps > 0, got ${options.qps}`);
    this.lowShareEvery = Math.max(1, Math.floor(options.lowShareEvery ?? 10));
    const burst = Math.max(1, Math.floor(options.burst));
    // Below the burst, or `low` alone could never reach a full enough bucket.
    this.normalReserve = Math.min(Math.max(0, Math.floor(options.normalReserve ?? DEFAULT_NORMAL_RESERVE)), burst - 1);
    this.clock = options.clock ?? realClock;
    const clock = this.clock;
    this.bucket = new TokenBucket(options.qps, burst, () => clock.now());
  }

  /** Resolves when the request may be sent. */
  take(priority: RequestPriority = 'normal'): Promise<void> {
    if (this.mayGoNow(priority)) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting[priority].push(resolve);
      this.schedule();
    });
  }

  /** Requests waiting for a token, per priority (for tests and metrics). */
  get queued(): Readonly<Record<RequestPriority, number>> {
    return { normal: this.waiting.normal.length, low: this.waiting.low.length };
  }

  /** Takes a token at once for a request that would be next in line: a normal one may pass waiting low ones (in turn). */
  private mayGoNow(priority: RequestPriority): boolean {
    if (this.waiting.normal.length > 0) return false;
    if (priority === 'low') return this.waiting.low.length === 0 && this.bucket.tryTake(1 + this.normalReserve);
    if (this.lowShareDue() || !this.bucket.tryTake()) return false;
    if (this.waiting.low.length > 0) this.normalStreak++;
    return true;
  }

  /** Tokens that must be in the bucket for the next grant: `low` with no `normal` waiting leaves the reserve. */
  private tokensNeeded(lowTurn: boolean): number {
    return lowTurn && this.waiting.normal.length === 0 ? 1 + this.normalReserve : 1;
  }

  /** Whether `low` waits and `normal` has had its run of tokens: the next one is low's share. */
  private lowShareDue(): boolean {
    return this.waiting.low.length > 0 && this.normalStreak >= this.lowShareEvery - 1;
  }

  /** Whether the next token goes to `low`: its share, or nothing else waits. */
  private lowTurn(): boolean {
    return this.waiting.low.length > 0 && (this.waiting.normal.length === 0 || this.lowShareDue());
  }

  private schedule(): void {
    const need = this.tokensNeeded(this.lowTurn());
    // A normal request arriving while the timer waits for the reserve needs only one token: sooner.
    if (this.timer !== undefined) {
      if (need >= this.timerFor) return;
      this.clock.clearTimeout(this.timer);
    }
    this.timerFor = need;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.grant();
    }, this.bucket.msUntilToken(need));
  }

  private grant(): void {
    while (this.waiting.normal.length > 0 || this.waiting.low.length > 0) {
      const low = this.lowTurn();
      if (!this.bucket.tryTake(this.tokensNeeded(low))) break;
      if (low) {
        this.normalStreak = 0;
        this.waiting.low.shift()?.();
      } else {
        this.normalStreak = this.waiting.low.length > 0 ? this.normalStreak + 1 : 0;
        this.waiting.normal.shift()?.();
      }
    }
    if (this.waiting.normal.length > 0 || this.waiting.low.length > 0) this.schedule();
  }
}
