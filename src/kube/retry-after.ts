// When the API server says "come back later" (429 Too Many Requests from API Priority and Fairness, or
// 503 with Retry-After), client-go waits as told and sends again; so do we, within bounds.

/** The most we wait for one Retry-After, however long the server asks. */
export const MAX_RETRY_AFTER_MS = 10_000;
/** Retries after Retry-After answers before the error reaches the caller (client-go: 10). */
export const MAX_RETRY_AFTER_RETRIES = 5;

/**
 * Milliseconds to wait before sending again, or undefined when the answer is not one to retry: only
 * 429 and 5xx with a Retry-After header, as client-go's checkWait. The header is whole seconds or an
 * HTTP date; the wait is clamped to [0, maxMs].
 */
export function retryAfterMs(status: number, header: string | null | undefined, now: number = Date.now(), maxMs = MAX_RETRY_AFTER_MS): number | undefined {
  if (status !== 429 && status < 500) return undefined;
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(maxMs, Math.max(0, ms));
}
