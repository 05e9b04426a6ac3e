// The built-in error-rate check: the always-valid sequential test (msprt-proportions.ts) over counts
// cumulated since the analysis started, plus the optional absolute floor on the canary success rate.
// Only this check moves the running p-value.
import type { AnalysisSpec } from '../api/analysis-spec.ts';
import type { Measurement } from '../api/analysis-status.ts';
import { measurement, percent, requestCount, short } from './measurement-format.ts';
import { DEFAULT_ALPHA, DEFAULT_MIN_REQUESTS, DEFAULT_TOLERANCE, msprtProportions } from './msprt-proportions.ts';
import { queryIds } from './query-ids.ts';
import { describeFailures, readCounts } from './query-result.ts';
import type { QueryResults } from './query-result.ts';

export interface SuccessRateEvaluation {
  measurement: Measurement;
  /** The running p-value after this look; the previous one when nothing was measured. */
  pValue: number;
}

export function evaluateSuccessRate(check: string, spec: AnalysisSpec, results: QueryResults, previousPValue: number): SuccessRateEvaluation {
  const alpha = spec.successRate?.alpha ?? DEFAULT_ALPHA;
  const tolerance = spec.successRate?.tolerance ?? DEFAULT_TOLERANCE;
  const minimum = spec.successRate?.minimum;
  const minRequests = spec.minRequests ?? DEFAULT_MIN_REQUESTS;
  const threshold = [`upper <= ${tolerance}`, `p > ${alpha}`, ...(minimum !== undefined ? [`success rate >= ${minimum}`] : [])].join('; ');

  const read = readCounts(results, {
    stableRequests: queryIds.requests('stable'),
    stableErrors: queryIds.errors('stable'),
    canaryRequests: queryIds.requests('canary'),
    canaryErrors: queryIds.errors('canary'),
  });
  if ('failures' in read) {
    return { measurement: measurement({ check, verdict: 'Error', threshold, message: describeFailures(read.failures) }), pValue: previousPValue };
  }
  const counts = read.value;
  const r = msprtProportions(counts, { alpha, tolerance, minRequests }, previousPValue);
  const nc = counts.canaryRequests;
  const ns = counts.stableRequests;
  const enough = ns >= minRequests && nc >= minRequests;
  const belowMinimum = minimum !== undefined && nc >= minRequests && 1 - r.canaryRate < minimum;

  const reasons: string[] = [];
  if (r.verdict === 'Fail') reasons.push(`always-valid p ${short(r.pValue)} <= alpha ${alpha}`);
  if (belowMinimum) reasons.push(`canary success rate ${percent(1 - r.canaryRate)} is below the minimum ${percent(minimum)}`);
  if (reasons.length === 0) {
    if (!enough) reasons.push(`needs ${minRequests} requests per variant before deciding`);
    else if (r.verdict === 'Pass') reasons.push(`the canary's error rate is at most ${percent(r.upperBound)} above stable's (always-valid bound), within the tolerance ${percent(tolerance)}`);
    else reasons.push(`not decided yet: p ${short(r.pValue)} > alpha ${alpha} and the upper bound ${percent(r.upperBound)} > tolerance ${percent(tolerance)}`);
  }
  const rate = (requests: number, value: number) => (requests > 0 ? percent(value) : 'n/a');
  const message = `canary error rate ${rate(nc, r.canaryRate)} vs stable ${rate(ns, r.stableRate)} over ${requestCount(nc)} vs ${requestCount(ns)} requests: ${reasons.join('; ')}`;

  return {
    measurement: measurement({
      check,
      verdict: belowMinimum ? 'Fail' : r.verdict,
      value: nc > 0 ? r.canaryRate : undefined,
      stableValue: ns > 0 ? r.stableRate : undefined,
      samples: requestCount(nc),
      stableSamples: requestCount(ns),
      statistic: Number.isFinite(r.upperBound) ? `p=${short(r.pValue)} upper=${short(r.upperBound)}` : `p=${short(r.pValue)}`,
      threshold,
      message,
    }),
    pValue: r.pValue,
  };
}
