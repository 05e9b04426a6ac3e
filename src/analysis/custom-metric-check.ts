// A custom metric: the canary's value must lie in [min, max]; the stable value is recorded beside it
// for context only, so a stable query that fails does not stop the check.
import type { CustomMetric } from '../api/analysis-spec.ts';
import type { Measurement } from '../api/analysis-status.ts';
import { measurement } from './measurement-format.ts';
import { queryIds } from './query-ids.ts';
import { describeFailures, readValue } from './query-result.ts';
import type { QueryResults } from './query-result.ts';

export function evaluateCustomMetric(check: string, metric: CustomMetric, results: QueryResults): Measurement {
  const { min, max } = metric;
  const threshold =
    min !== undefined && max !== undefined ? `${min} <= value <= ${max}` : min !== undefined ? `value >= ${min}` : `value <= ${max ?? Infinity}`;
  const canary = readValue(results, queryIds.metric(metric.name, 'canary'));
  const stable = readValue(results, queryIds.metric(metric.name, 'stable'));
  const stableValue = 'value' in stable ? stable.value : undefined;
  const context =
    'failures' in stable ? ` (stable not measured: ${describeFailures(stable.failures)})` : stableValue === undefined ? ' (stable: no data)' : ` (stable ${number(stableValue)})`;
  const base = { check, threshold, stableValue };

  if ('failures' in canary) return measurement({ ...base, verdict: 'Error', message: describeFailures(canary.failures) });
  const v = canary.value;
  if (v === undefined) return measurement({ ...base, verdict: 'Inconclusive', message: `the query returned no data for the canary${context}` });
  if (Number.isNaN(v)) return measurement({ ...base, verdict: 'Inconclusive', message: `the query returned NaN for the canary${context}` });
  const value = `canary ${metric.name} ${number(v)}`;
  if (min !== undefined && v < min) return measurement({ ...base, verdict: 'Fail', value: v, message: `${value} is below the minimum ${min}${context}` });
  if (max !== undefined && v > max) return measurement({ ...base, verdict: 'Fail', value: v, message: `${value} is above the maximum ${max}${context}` });
  return measurement({ ...base, verdict: 'Pass', value: v, message: `${value} is within ${threshold}${context}` });
}

function number(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}
