// PURE: how long a Pending trigger waits before its next send: 10 s doubling to 10 minutes.
export const FIRST_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 600_000;

/** The wait after the `attempts`-th failed send (1 for the first). */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}
