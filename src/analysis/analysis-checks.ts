// Which checks one analysis spec asks for on one runtime preset. planQueries and evaluateRun both
// read this, so a query is planned exactly for each check that is evaluated.
import type { AccuracySpec, AnalysisSpec, CustomMetric, DriftSpec } from '../api/analysis-spec.ts';
import type { RuntimePresetName } from '../api/runtime-presets.ts';
import { PRESET_LATENCY_KIND } from './builtin-queries.ts';
import type { LatencyKind } from './builtin-queries.ts';

export const SUCCESS_RATE_CHECK = 'success-rate';
export const LATENCY_CHECK = 'latency';
export const ACCURACY_CHECK = 'accuracy';
export const DRIFT_CHECK = 'drift';

export type AnalysisCheck =
  | { kind: 'success-rate'; check: string }
  | { kind: 'latency'; check: string; latencyKind: LatencyKind }
  | { kind: 'accuracy'; check: string; accuracy: AccuracySpec }
  | { kind: 'drift'; check: string; drift: DriftSpec }
  | { kind: 'metric'; check: string; metric: CustomMetric };

export interface AnalysisChecks {
  checks: AnalysisCheck[];
  /** Why the built-in checks are not run although enabled (a server without metrics). */
  skipped?: string;
}

export function analysisChecks(spec: AnalysisSpec, preset: RuntimePresetName): AnalysisChecks {
  const latencyKind = PRESET_LATENCY_KIND[preset];
  const successRate = spec.successRate?.enabled !== false;
  const latency = spec.latency?.enabled !== false;
  const checks: AnalysisCheck[] = [];
  let skipped: string | undefined;
  if (latencyKind === undefined) {
    if (successRate || latency) skipped = `the ${preset} server exports no Prometheus metrics, so the built-in success-rate and latency checks are skipped`;
  } else {
    if (successRate) checks.push({ kind: 'success-rate', check: SUCCESS_RATE_CHECK });
    if (latency) checks.push({ kind: 'latency', check: LATENCY_CHECK, latencyKind });
  }
  // Labels come from the inference agent, the same for every preset: never skipped for want of server metrics.
  if (spec.accuracy !== undefined && spec.accuracy.enabled !== false) checks.push({ kind: 'accuracy', check: ACCURACY_CHECK, accuracy: spec.accuracy });
  // Predictions are counted by the agent too.
  if (spec.drift !== undefined && spec.drift.enabled !== false) checks.push({ kind: 'drift', check: DRIFT_CHECK, drift: spec.drift });
  for (const metric of spec.metrics ?? []) checks.push({ kind: 'metric', check: metric.name, metric });
  return skipped === undefined ? { checks } : { checks, skipped };
}
