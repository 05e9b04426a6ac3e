// When the next measurement is due: one interval after the analysis window starts (the first interval
// needs data before it can be measured), then one interval after each run.

export interface AnalysisTimes {
  /** status.analysis.startedAt: when the canary first took traffic (RFC 3339). */
  startedAt?: string | undefined;
  /** status.analysis.lastRunAt (RFC 3339). */
  lastRunAt?: string | undefined;
}

/** Epoch milliseconds of the next run; undefined before the window has started or for an unreadable time. */
export function nextAnalysisAt(times: AnalysisTimes, intervalMs: number): number | undefined {
  const from = times.lastRunAt ?? times.startedAt;
  if (from === undefined) return undefined;
  const at = Date.parse(from) + intervalMs;
  return Number.isFinite(at) ? at : undefined;
}

export function analysisDue(times: AnalysisTimes, intervalMs: number, now: Date | number): boolean {
  const at = nextAnalysisAt(times, intervalMs);
  return at !== undefined && (typeof now === 'number' ? now : now.getTime()) >= at;
}
