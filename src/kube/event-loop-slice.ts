// Work chained through promises never lets the event loop turn: a handler that finds nothing to send (every
// child up to date in the cache) resolves in a microtask, the queue starts the next key in the same
// microtask run, and timers and I/O wait until the whole queue is drained. 3000 such reconciles held an
// operator's loop for 7-10 s and its Lease renewal timer with it, so it lost the Lease. A slice bounds that:
// once work has run this long since the loop last turned, the next step waits for a turn (setImmediate).

export class EventLoopSlice {
  private readonly sliceMs: number;
  private startedAt: number | undefined;

  constructor(sliceMs: number) {
    this.sliceMs = sliceMs;
  }

  /** True when the work since the event loop last turned has run for the slice or longer. */
  spent(): boolean {
    const now = performance.now();
    if (this.startedAt === undefined) {
      this.startedAt = now;
      // An immediate runs only once the microtasks are drained and the loop has moved on.
      setImmediate(() => (this.startedAt = undefined));
      return false;
    }
    return now - this.startedAt >= this.sliceMs;
  }
}
