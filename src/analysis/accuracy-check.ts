// The built-in accuracy check: canary vs stable accuracy on labelled predictions, by the same
// always-valid sequential test as the error-rate check (msprt-proportions.ts). An incorrect prediction
// plays the part of a failed request: accuracy is 1 - that rate, so "canary accuracy lower" is "canary
// error rate higher" and the test, its tolerance and its running p-value carry over unchanged. The
// p-value is its own (status.analysis.accuracyPValue), so the two tests do not spend each other's alpha.
import type { AccuracySpec } from '../api/analysis-spec.ts';
import { DEFAULT_MIN_LABELS } from '../api/analysis-spec.ts';
import type { Measurement } from '../api/analysis-status.ts';
import { measurement, percent, requestCount, short } from './measurement-format.ts';
import { DEFAULT_ALPHA, DEFAULT_TOLERANCE, msprtProportions } from './msprt-proportions.ts';
import { queryIds } from './query-ids.ts';
import { describeFailures, readCounts } from './query-result.ts';
import type { QueryResults } from './query-result.ts';

export interface AccuracyEvaluation {
  measurement: Measurement;
  /** The running p-value after this look; the previous one when nothing was measured. */
  pValue: number;
}

export function evaluateAccuracy(check: string, spec: AccuracySpec, results: QueryResults, previousPValue: number): AccuracyEvaluation {
  const alpha = spec.alpha ?? DEFAULT_ALPHA;
  const tolerance = spec.tolerance ?? DEFAULT_TOLERANCE;
  const minLabels = spec.minLabels ?? DEFAULT_MIN_LABELS;
  const threshold = `drop upper <= ${tolerance}; p > ${alpha}; ${minLabels} labels per variant`;

  const read = readCounts(results, {
    stableRequests: queryIds.labels('stable'),
    stableErrors: queryIds.incorrectLabels('stable'),
    canaryRequests: queryIds.labels('canary'),
    canaryErrors: queryIds.incorrectLabels('canary'),
  });
  if ('failures' in read) {
    return { measurement: measurement({ check, verdict: 'Error', threshold, message: describeFailures(read.failures) }), pValue: previousPValue };
  }
  const counts = read.value;
  const r = msprtProportions(counts, { alpha, tolerance, minRequests: minLabels }, previousPValue);
  const nc = counts.canaryRequests;
  const ns = counts.stableRequests;
  const canaryAccuracy = 1 - r.canaryRate;
  const stableAccuracy = 1 - r.stableRate;

  let reason: string;
  if (r.verdict === 'Fail') reason = `canary accuracy lower: always-valid p ${short(r.pValue)} <= alpha ${alpha}`;
  else if (!(ns >= minLabels && nc >= minLabels)) reason = `needs ${minLabels} labelled predictions per variant before deciding`;
  else if (r.verdict === 'Pass') reason = `the canary's accuracy is at most ${percent(r.upperBound)} below stable's (always-valid bound), within the tolerance ${percent(tolerance)}`;
  else reason = `not decided yet: p ${short(r.pValue)} > alpha ${alpha} and the drop bound ${percent(r.upperBound)} > tolerance ${percent(tolerance)}`;
  const rate = (labels: number, value: number) => (labels > 0 ? percent(value) : 'n/a');
  const message = `canary accuracy ${rate(nc, canaryAccuracy)} vs stable ${rate(ns, stableAccuracy)} over ${requestCount(nc)} vs ${requestCount(ns)} labels: ${reason}`;

  return {
    measurement: measurement({
      check,
      verdict: r.verdict,
      value: nc > 0 ? canaryAccuracy : undefined,
      stableValue: ns > 0 ? stableAccuracy : undefined,
      samples: requestCount(nc),
      stableSamples: requestCount(ns),
      statistic: Number.isFinite(r.upperBound) ? `p=${short(r.pValue)} drop-upper=${short(r.upperBound)}` : `p=${short(r.pValue)}`,
      threshold,
      message,
    }),
    pValue: r.pValue,
  };
}
