// Node's timers count milliseconds in a signed 32-bit integer: a longer delay (a 720h pause, ~24.8 days
// and up) fires after 1 ms with a TimeoutOverflowWarning, so an object would be reconciled in a hot loop.
// Every delay the operator computes goes through here.

/** The longest delay a Node timer takes as given. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The longest the operator waits before looking at an object again. A longer wait (a long pause) is
 * re-checked then: the rollout machine works from the times in status, so looking early only recomputes
 * the time left. One reconcile per hour at rest for such an object.
 */
export const MAX_REQUEUE_MS = 60 * 60 * 1000;

/** A delay a timer fires after as meant: never negative, never beyond MAX_TIMER_MS; NaN counts as none. */
export function timerDelay(ms: number): number {
  if (Number.isNaN(ms) || ms <= 0) return 0;
  return Math.min(Math.ceil(ms), MAX_TIMER_MS);
}

/** A requeue delay: as timerDelay, and never longer than MAX_REQUEUE_MS. */
export function requeueDelay(ms: number): number {
  return Math.min(timerDelay(ms), MAX_REQUEUE_MS);
}

/** setTimeout with the delay bounded by timerDelay. */
export function boundedTimeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  return setTimeout(fn, timerDelay(ms));
}

/** Waits `ms` (bounded as above), or less if the signal aborts; never rejects. */
export function sleepUntilAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = boundedTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
