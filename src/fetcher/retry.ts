// When the fetcher tries a download again: transient failures only (network, 5xx, throttling), a bounded
// number of attempts, exponential backoff with jitter. Pure: the random number is an argument.

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 500, maxMs: 8000 };

/** Wait before attempt `attempt` + 1 (attempt counts from 1), with `random` in [0, 1): half to all of the backoff. */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number): number {
  const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(backoff * (0.5 + random / 2));
}

/** Whether another attempt follows a transient failure of attempt `attempt`. */
export function shouldRetry(policy: RetryPolicy, attempt: number, transient: boolean): boolean {
  return transient && attempt < policy.attempts;
}
