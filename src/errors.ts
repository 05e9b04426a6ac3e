// The text of anything thrown, for what a person reads: status messages, Events, CLI output. Logs take
// the Error itself under `err` (see observability/logger.ts), which keeps its stack and causes.

/** An Error's message; anything else thrown, as a string. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The message and, after it, those of its causes that it does not already say ("fetch failed:
 * connect ECONNREFUSED 10.0.0.1:9090"): undici and Node hide the useful part in `cause`.
 */
export function messageWithCauses(err: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && e !== null && !seen.has(e); e = e instanceof Error ? e.cause : undefined) {
    seen.add(e);
    const message = errorMessage(e);
    if (!parts.some((p) => p.includes(message))) parts.push(message);
  }
  return parts.join(': ');
}
