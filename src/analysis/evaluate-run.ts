// One analysis run, in two pure halves around the controller's Prometheus calls: planQueries says
// which queries to send, evaluateRun turns their answers into one verdict per check and one for the
// run. The error-rate, accuracy and drift tests use counts since the analysis started, because the sequential
// tests are over cumulative data; latency and custom metrics look at the last interval only. Every query, built-in or
// custom, is confined to the ModelDeployment's namespace (scope-query.ts); one that cannot be is
// refused, and the run is Refused without asking Prometheus anything (refusedRun).
import { DEFAULT_LATENCY_QUANTILE, MAX_ANALYSIS_METRICS } from '../api/analysis-spec.ts';
import type { AnalysisSpec } from '../api/analysis-spec.ts';
import type { Measurement, Verdict } from '../api/analysis-status.ts';
import type { RuntimePresetName } from '../api/runtime-presets.ts';
import { evaluateAccuracy } from './accuracy-check.ts';
import { accuracyQueries } from './accuracy-queries.ts';
import { analysisChecks } from './analysis-checks.ts';
import { builtinQueries } from './builtin-queries.ts';
import { evaluateCustomMetric } from './custom-metric-check.ts';
import { evaluateDrift } from './drift-check.ts';
import { BUCKET_LABEL, CATEGORY_LABEL, driftQueries } from './drift-queries.ts';
import { evaluateLatency } from './latency-check.ts';
import { MAX_MESSAGE_LENGTH, measurement, truncate } from './measurement-format.ts';
import type { AnalysisVariant } from './promql-syntax.ts';
import { queryIds } from './query-ids.ts';
import type { QueryResults } from './query-result.ts';
import { renderQueryTemplate } from './render-query.ts';
import { scopeQuery } from './scope-query.ts';
import { evaluateSuccessRate } from './success-rate-check.ts';

export interface AnalysisIds {
  namespace: string;
  /** The ModelDeployment's name. */
  name: string;
  canaryRevision: number;
  stableRevision: number;
}

export interface AnalysisWindows {
  /** Since the analysis window started (status.analysis.startedAt): the error-rate and accuracy tests' counts. */
  sinceStartSeconds: number;
  /** The analysis interval: latency and {{interval}} in custom metrics. */
  intervalSeconds: number;
}

/**
 * A query to send, or (a custom template that does not render) the error to record as its result
 * without sending anything: the controller sets results.get(id) to the number, undefined or {error}.
 * A query that cannot be confined to the namespace is refused: the run is refusedRun's, nothing is sent.
 */
export type PlannedQuery = {
  id: string;
  check: string;
  variant: AnalysisVariant;
  /** A grouped query: the controller reads each series' value by this label ({groups}) rather than one number. */
  by?: string;
} & (
  | { query: string; error?: undefined; refused?: undefined }
  | { query?: undefined; error: string; refused?: undefined }
  | { query?: undefined; error?: undefined; refused: string }
);

export interface RunEvaluation {
  verdict: Verdict;
  /** One per check, in spec order: success-rate, latency, accuracy, drift, then the custom metrics. */
  measurements: Measurement[];
  /** Running always-valid p-value of the error-rate test after this run. */
  pValue: number;
  /** Running always-valid p-value of the accuracy test after this run; absent when it did not run. */
  accuracyPValue?: number;
  message: string;
}

const VARIANTS: readonly AnalysisVariant[] = ['stable', 'canary'];

/**
 * Queries one measurement sends at most: per variant, two for the success rate, two for the latency,
 * two for the accuracy, two for the drift and one per custom metric (at most MAX_ANALYSIS_METRICS). A
 * measurement is that fixed, small number of instant queries, never more however often it is taken.
 */
export const MAX_MEASUREMENT_QUERIES = VARIANTS.length * (2 + 2 + 2 + 2 + MAX_ANALYSIS_METRICS);

export function planQueries(spec: AnalysisSpec, preset: RuntimePresetName, ids: AnalysisIds, windows: AnalysisWindows): PlannedQuery[] {
  const quantile = spec.latency?.quantile ?? DEFAULT_LATENCY_QUANTILE;
  const target = (variant: AnalysisVariant) => ({ namespace: ids.namespace, name: ids.name, variant });
  const planned: PlannedQuery[] = [];
  const scoped = (q: { id: string; check: string; variant: AnalysisVariant; by?: string }, query: string): PlannedQuery => {
    const r = scopeQuery(query, ids.namespace);
    return 'query' in r ? { ...q, query: r.query } : { ...q, refused: r.refused };
  };
  for (const c of analysisChecks(spec, preset).checks) {
    for (const variant of VARIANTS) {
      const revision = variant === 'canary' ? ids.canaryRevision : ids.stableRevision;
      if (c.kind === 'success-rate') {
        const q = builtinQueries(preset, target(variant), windows.sinceStartSeconds, quantile);
        if (q === undefined) continue;
        planned.push(scoped({ id: queryIds.requests(variant), check: c.check, variant }, q.requests));
        planned.push(scoped({ id: queryIds.errors(variant), check: c.check, variant }, q.errors));
      } else if (c.kind === 'latency') {
        const q = builtinQueries(preset, target(variant), windows.intervalSeconds, quantile);
        if (q === undefined) continue;
        planned.push(scoped({ id: queryIds.latency(variant), check: c.check, variant }, q.latency));
        planned.push(scoped({ id: queryIds.latencyRequests(variant), check: c.check, variant }, q.requests));
      } else if (c.kind === 'accuracy') {
        const q = accuracyQueries({ namespace: ids.namespace, name: ids.name, revision }, windows.sinceStartSeconds);
        planned.push(scoped({ id: queryIds.labels(variant), check: c.check, variant }, q.labels));
        planned.push(scoped({ id: queryIds.incorrectLabels(variant), check: c.check, variant }, q.incorrect));
      } else if (c.kind === 'drift') {
        const q = driftQueries(target(variant), windows.sinceStartSeconds);
        planned.push(scoped({ id: queryIds.driftCategories(variant), check: c.check, variant, by: CATEGORY_LABEL }, q.categories));
        planned.push(scoped({ id: queryIds.driftBuckets(variant), check: c.check, variant, by: BUCKET_LABEL }, q.buckets));
      } else {
        const r = renderQueryTemplate(c.metric.query, { ...target(variant), revision, interval: windows.intervalSeconds });
        const id = queryIds.metric(c.metric.name, variant);
        planned.push('error' in r ? { id, check: c.check, variant, error: r.error } : scoped({ id, check: c.check, variant }, r.query));
      }
    }
  }
  return planned;
}

/**
 * The run when a planned query was refused: Refused, one measurement per check with a refused query,
 * nothing sent. Undefined when every query may be sent.
 */
export function refusedRun(planned: readonly PlannedQuery[], previousPValue: number): RunEvaluation | undefined {
  const byCheck = new Map<string, string>();
  for (const q of planned) if (q.refused !== undefined && !byCheck.has(q.check)) byCheck.set(q.check, q.refused);
  if (byCheck.size === 0) return undefined;
  const measurements = [...byCheck].map(([check, why]) => measurement({ check, verdict: 'Refused', message: why }));
  const message = measurements.map((m) => `${m.check} ${VERDICT_WORDS.Refused}: ${m.message ?? ''}`).join('; ');
  return { verdict: 'Refused', measurements, pValue: previousPValue, message: truncate(message, MAX_MESSAGE_LENGTH) };
}

export function evaluateRun(
  spec: AnalysisSpec,
  preset: RuntimePresetName,
  results: QueryResults,
  previousPValue: number,
  previousAccuracyPValue = 1,
  look = 1,
): RunEvaluation {
  const { checks, skipped } = analysisChecks(spec, preset);
  let pValue = clampPValue(previousPValue);
  let accuracyPValue: number | undefined;
  const measurements: Measurement[] = [];
  for (const c of checks) {
    if (c.kind === 'success-rate') {
      const r = evaluateSuccessRate(c.check, spec, results, pValue);
      pValue = r.pValue;
      measurements.push(r.measurement);
    } else if (c.kind === 'latency') {
      measurements.push(evaluateLatency(c.check, spec, c.latencyKind, results));
    } else if (c.kind === 'accuracy') {
      const r = evaluateAccuracy(c.check, c.accuracy, results, clampPValue(previousAccuracyPValue));
      accuracyPValue = r.pValue;
      measurements.push(r.measurement);
    } else if (c.kind === 'drift') {
      measurements.push(evaluateDrift(c.check, c.drift, results, look));
    } else {
      measurements.push(evaluateCustomMetric(c.check, c.metric, results));
    }
  }
  const note = skipped === undefined ? '' : ` (${skipped})`;
  if (measurements.length === 0) {
    const why = skipped ?? 'the built-in checks are disabled and no metrics are set';
    return { verdict: 'Inconclusive', measurements, pValue, message: truncate(`nothing to measure: ${why}`, MAX_MESSAGE_LENGTH) };
  }
  const verdict = runVerdict(measurements.map((m) => m.verdict));
  const deciding = measurements.filter((m) => m.verdict === verdict);
  const message =
    verdict === 'Pass'
      ? `all ${measurements.length} checks passed (${measurements.map((m) => m.check).join(', ')})${note}`
      : `${deciding.map((m) => `${m.check} ${VERDICT_WORDS[verdict]}: ${m.message ?? ''}`).join('; ')}${note}`;
  return { verdict, measurements, pValue, ...(accuracyPValue !== undefined ? { accuracyPValue } : {}), message: truncate(message, MAX_MESSAGE_LENGTH) };
}

function clampPValue(p: number): number {
  return Number.isNaN(p) ? 1 : Math.min(1, Math.max(0, p));
}

const VERDICT_WORDS: Readonly<Record<Verdict, string>> = {
  Pass: 'passed',
  Fail: 'failed',
  Inconclusive: 'inconclusive',
  Error: 'not measured',
  Refused: 'refused',
};

/**
 * A refused query refuses the run (a person must change it); any Fail fails it; otherwise a check
 * that could not be measured makes it an Error (never a Fail: an unreachable Prometheus is no
 * evidence against the canary); then too little evidence.
 */
export function runVerdict(verdicts: readonly Verdict[]): Verdict {
  for (const v of ['Refused', 'Fail', 'Error', 'Inconclusive'] as const) if (verdicts.includes(v)) return v;
  return verdicts.length === 0 ? 'Inconclusive' : 'Pass';
}
