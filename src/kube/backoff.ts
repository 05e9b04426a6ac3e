// Jittered exponential backoff, as client-go's reflector (800 ms doubling to 30 s, jitter 1.0: each
// wait is drawn from [d, 2d)). Jitter keeps many informers (or replicas) from retrying in lockstep
// against an API server that just came back.

export interface BackoffOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  /** The wait is d * (1 + jitter * random()). */
  readonly jitter?: number;
}

export const REFLECTOR_BACKOFF: Required<BackoffOptions> = { initialMs: 800, maxMs: 30_000, jitter: 1 };

/** The wait before retry number `failures` (1 = the first retry). */
export function backoffDelay(failures: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs, maxMs, jitter } = { ...REFLECTOR_BACKOFF, ...options };
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return base * (1 + jitter * random());
}
