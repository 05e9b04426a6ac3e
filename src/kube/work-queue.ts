// A keyed, de-duplicating, rate-limited work queue in the manner of client-go's workqueue:
// - a key queued many times is processed once (the `dirty` set);
// - a key added while it is being processed runs once more after the current run, never alongside it
//   (the `processing` set), so one reconcile of a ModelDeployment never races another;
// - failures are retried with per-key exponential backoff combined with an overall token bucket,
//   like client-go's DefaultControllerRateLimiter (MaxOf(ItemExponentialFailure, Bucket));
// - a handler that has only a low-priority write left may give its worker slot back (`yieldSlot`): the
//   key stays in `processing` (still never two runs of one key), and another key starts meanwhile;
// - handlers that never wait for I/O cannot hold the event loop: after DISPATCH_SLICE_MS of them in one
//   turn, the next key starts after the loop has turned (timers and I/O first).
import { EventLoopSlice } from './event-loop-slice.ts';
import { TokenBucket } from './token-bucket.ts';
import { boundedTimeout, requeueDelay } from './timer-delay.ts';

export type ReconcileResult = { requeueAfterMs?: number };

/** Hooks for controller-runtime's workqueue_* metrics. Times are seconds. */
export interface WorkQueueMetrics {
  /** Keys waiting to be processed, including keys re-added while they are being processed. */
  depth(n: number): void;
  added(): void;
  queueLatencySeconds(s: number): void;
  workDurationSeconds(s: number): void;
  retried(): void;
  /** Sum of the running time of all in-flight handlers, reported every 500 ms while the queue runs. */
  unfinishedWorkSeconds?(s: number): void;
  /** Running time of the oldest in-flight handler, reported with unfinishedWorkSeconds. */
  longestRunningProcessorSeconds?(s: number): void;
}

/** Time source and timers; injectable so tests control time. `now()` is monotonic milliseconds. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => boundedTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface WorkQueueOptions {
  name: string;
  /** Handlers running at once, each on a different key. */
  concurrency: number;
  /** First retry delay after a failure; doubles with each further failure of the key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall retry rate (token bucket), so many failing keys cannot hammer the API server. */
  qps?: number;
  burst?: number;
  metrics?: WorkQueueMetrics;
  clock?: Clock;
  /** Told about every handler failure (the key is then retried with backoff). */
  onError?: (key: string, err: unknown) => void;
}

/** `yieldSlot()` frees the handler's worker slot for another key while it finishes its last waits. */
export type Handler = (key: string, yieldSlot: () => void) => Promise<ReconcileResult>;

const UNFINISHED_WORK_INTERVAL_MS = 500;
/** Keys run back to back in one turn of the event loop for at most about this long (see EventLoopSlice). */
export const DISPATCH_SLICE_MS = 20;

export class WorkQueue {
  readonly name: string;
  private readonly concurrency: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly bucket: TokenBucket;
  private readonly metrics: WorkQueueMetrics | undefined;
  private readonly clock: Clock;
  private readonly onError: ((key: string, err: unknown) => void) | undefined;

  /** Keys ready for a worker, in order. Each is also in `dirty`. */
  private readonly queue: string[] = [];
  /** Keys that need processing: queued, or re-added while processing. */
  private readonly dirty = new Set<string>();
  /** Keys a handler is running for, with the start time. */
  private readonly processing = new Map<string, number>();
  /** Keys in `processing` whose handler gave its worker slot back. */
  private readonly yielded = new Set<string>();
  /** When each dirty key was added, for the queue latency metric. */
  private readonly addedAt = new Map<string, number>();
  /** Keys waiting for a delay to pass before they are added. */
  private readonly waiting = new Map<string, { readyAt: number; timer: unknown }>();
  private readonly failures = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  /** Callers of idle() waiting for the queue to empty. */
  private idleWaiters: (() => void)[] = [];
  private handler: Handler | undefined;
  private shuttingDown = false;
  private readonly slice = new EventLoopSlice(DISPATCH_SLICE_MS);
  private dispatchAfterTurn = false;
  private metricsTimer: unknown;

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError(`work queue ${options.name}: concurrency must be a positive integer, got ${options.concurrency}`);
    }
    this.name = options.name;
    this.concurrency = options.concurrency;
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.clock = options.clock ?? realClock;
    this.bucket = new TokenBucket(options.qps ?? 10, options.burst ?? 100, () => this.clock.now());
    this.metrics = options.metrics;
    this.onError = options.onError;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    this.metrics?.added();
    this.metrics?.depth(this.dirty.size);
    // A key being processed goes back into the queue when its run ends (see `finish`).
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /** Adds the key after `ms`, capped at MAX_REQUEUE_MS (a longer wait is looked at again then). */
  addAfter(key: string, requested: number): void {
    if (this.shuttingDown) return;
    const ms = requeueDelay(requested);
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    // Like client-go's delaying queue: keep the earliest ready time of a key.
    if (existing && existing.readyAt <= readyAt) return;
    if (existing) this.clock.clearTimeout(existing.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds the key after its backoff: base * 2^failures (capped), or later if the retry bucket is empty. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    const backoff = Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
    this.metrics?.retried();
    this.addAfter(key, Math.max(backoff, this.bucket.reserve()));
  }

  /**
   * Drops the key's pending delay or backoff, if any (its object is gone from this operator's view):
   * no timer is left to fire for it. A key queued or being processed is not touched.
   */
  cancelDelayed(key: string): void {
    const waiting = this.waiting.get(key);
    if (waiting) this.clock.clearTimeout(waiting.timer);
    this.waiting.delete(key);
    this.failures.delete(key);
  }

  /** Resets the key's backoff (after a success). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Milliseconds until a key waiting out a delay or a backoff is added; undefined if it is not waiting. */
  delayOf(key: string): number | undefined {
    const waiting = this.waiting.get(key);
    return waiting === undefined ? undefined : Math.max(0, waiting.readyAt - this.clock.now());
  }

  /** Keys ready for a worker (not counting keys in flight or waiting out a delay). */
  len(): number {
    return this.queue.length;
  }

  /**
   * A barrier: resolves once no key is queued and no handler runs (keys waiting out a delay or a
   * backoff do not count). For tests and shutdown, instead of waiting a fixed time.
   */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.dirty.size === 0 && this.processing.size === 0;
  }

  private notifyIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  start(handler: Handler): void {
    if (this.handler) throw new Error(`work queue ${this.name} already started`);
    if (this.shuttingDown) throw new Error(`work queue ${this.name} is shut down`);
    this.handler = handler;
    if (this.metrics?.unfinishedWorkSeconds || this.metrics?.longestRunningProcessorSeconds) this.reportUnfinishedWork();
    this.dispatch();
  }

  /** Stops taking work, drops queued and delayed keys, and waits for the handlers in flight. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    if (this.metricsTimer !== undefined) this.clock.clearTimeout(this.metricsTimer);
    this.metricsTimer = undefined;
    this.queue.length = 0;
    this.dirty.clear();
    this.addedAt.clear();
    this.metrics?.depth(0);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
    this.notifyIdle();
  }

  private dispatch(): void {
    const handler = this.handler;
    if (!handler || this.shuttingDown) return;
    while (this.processing.size - this.yielded.size < this.concurrency && this.queue.length > 0) {
      // This turn's slice is spent: the next keys start once the event loop has turned.
      if (this.slice.spent()) return this.dispatchNextTurn();
      const key = this.queue.shift()!;
      const now = this.clock.now();
      this.dirty.delete(key);
      this.processing.set(key, now);
      this.metrics?.depth(this.dirty.size);
      this.metrics?.queueLatencySeconds((now - (this.addedAt.get(key) ?? now)) / 1000);
      this.addedAt.delete(key);
      const run = this.process(key, handler);
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }
  }

  private async process(key: string, handler: Handler): Promise<void> {
    try {
      const result = await handler(key, () => {
        if (this.yielded.has(key) || !this.processing.has(key)) return;
        this.yielded.add(key);
        this.dispatch();
      });
      this.forget(key);
      if (result.requeueAfterMs !== undefined && result.requeueAfterMs > 0) this.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      this.addRateLimited(key);
      try {
        this.onError?.(key, err);
      } catch {
        // A failing error callback must not break the queue's bookkeeping.
      }
    } finally {
      this.finish(key);
    }
  }

  private finish(key: string): void {
    const started = this.processing.get(key);
    this.processing.delete(key);
    this.yielded.delete(key);
    if (started !== undefined) this.metrics?.workDurationSeconds((this.clock.now() - started) / 1000);
    if (this.dirty.has(key)) this.queue.push(key);
    this.dispatch();
    this.notifyIdle();
  }

  /** Lets timers (the Lease renewal) and I/O run before the next key starts. */
  private dispatchNextTurn(): void {
    if (this.dispatchAfterTurn) return;
    this.dispatchAfterTurn = true;
    setImmediate(() => {
      this.dispatchAfterTurn = false;
      this.dispatch();
    });
  }

  private reportUnfinishedWork(): void {
    if (this.shuttingDown) return;
    const now = this.clock.now();
    let total = 0;
    let longest = 0;
    for (const started of this.processing.values()) {
      total += now - started;
      longest = Math.max(longest, now - started);
    }
    this.metrics?.unfinishedWorkSeconds?.(total / 1000);
    this.metrics?.longestRunningProcessorSeconds?.(longest / 1000);
    this.metricsTimer = this.clock.setTimeout(() => this.reportUnfinishedWork(), UNFINISHED_WORK_INTERVAL_MS);
  }
}

