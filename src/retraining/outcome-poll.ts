// PURE: when a Sent or Running trigger's outcome is read again (the Job, the DAG run).
// Every look answers with the time of the next wake-up, due or not: the work queue keeps only a key's
// earliest wake-up, so a poll's own requeue can be replaced by an earlier one (a drift schedule, an
// analysis interval); a look that is not yet due and asked for nothing would leave the next poll to
// whatever reconcile happens to come after it.
export const OUTCOME_POLL_MS = 30_000;
/** After a refused outcome write (the status changed meanwhile): read and write again this soon. */
export const OUTCOME_RETRY_MS = 1_000;

export interface OutcomePoll {
  readonly due: boolean;
  /** When to look again, from now. */
  readonly wakeInMs: number;
}

/** `lastPollMs`: when the outcome was last read (undefined: never, or a retry was asked for). */
export function outcomePoll(lastPollMs: number | undefined, nowMs: number, intervalMs = OUTCOME_POLL_MS): OutcomePoll {
  if (lastPollMs === undefined || nowMs - lastPollMs >= intervalMs) return { due: true, wakeInMs: intervalMs };
  // A wake-up that fires a little early against the wall clock still finds the poll due soon after.
  return { due: false, wakeInMs: Math.max(1, lastPollMs + intervalMs - nowMs) };
}
