// The built-in latency check over the last interval: canary vs stable (latency-comparison.ts) with a
// relative tolerance, plus the optional absolute ceiling maxMs. Servers without a latency histogram
// (Triton, TorchServe) are compared on the mean, and the message says so.
import { DEFAULT_LATENCY_QUANTILE } from '../api/analysis-spec.ts';
import type { AnalysisSpec } from '../api/analysis-spec.ts';
import type { Measurement } from '../api/analysis-status.ts';
import type { LatencyKind } from './builtin-queries.ts';
import { DEFAULT_LATENCY_MIN_SAMPLES, DEFAULT_LATENCY_TOLERANCE, compareLatency } from './latency-comparison.ts';
import { measurement, milliseconds, requestCount } from './measurement-format.ts';
import { queryIds } from './query-ids.ts';
import { describeFailures, readCounts, readValue } from './query-result.ts';
import type { QueryResults } from './query-result.ts';

export function evaluateLatency(check: string, spec: AnalysisSpec, kind: LatencyKind, results: QueryResults): Measurement {
  const quantile = spec.latency?.quantile ?? DEFAULT_LATENCY_QUANTILE;
  const tolerance = spec.latency?.tolerance ?? DEFAULT_LATENCY_TOLERANCE;
  const maxMs = spec.latency?.maxMs;
  const minSamples = spec.minRequests ?? DEFAULT_LATENCY_MIN_SAMPLES;
  const what = kind === 'mean' ? 'mean' : `p${Number((quantile * 100).toPrecision(6))}`;
  const factor = Number((1 + tolerance).toPrecision(6));
  const ceiling = maxMs !== undefined ? [`${what} <= ${maxMs} ms`] : [];

  const counts = readCounts(results, { canary: queryIds.latencyRequests('canary'), stable: queryIds.latencyRequests('stable') });
  const canary = readValue(results, queryIds.latency('canary'));
  const stable = readValue(results, queryIds.latency('stable'));
  if ('failures' in counts || 'failures' in canary || 'failures' in stable) {
    const failures = [counts, canary, stable].flatMap((r) => ('failures' in r ? r.failures : []));
    const threshold = [`${what} <= ${factor} x stable`, ...ceiling].join('; ');
    return measurement({ check, verdict: 'Error', threshold, message: describeFailures(failures) });
  }

  // No series (no request timed) is no number; compareLatency reads NaN as Inconclusive.
  const c = canary.value ?? Number.NaN;
  const s = stable.value ?? Number.NaN;
  const n = counts.value;
  const r = compareLatency({ canaryQuantile: c, stableQuantile: s, canarySamples: n.canary, stableSamples: n.stable }, { tolerance, minSamples });
  const enough = n.canary >= minSamples && n.stable >= minSamples;
  // +Inf (above the largest bucket) is over any ceiling; NaN is no measurement.
  const overCeiling = maxMs !== undefined && n.canary >= minSamples && c * 1000 > maxMs;

  let why: string;
  if (overCeiling) why = `above the ceiling ${maxMs} ms`;
  else if (!enough) why = `needs ${minSamples} requests per variant in the interval before deciding`;
  else if (r.verdict === 'Inconclusive') why = 'no latency to compare: the query returned no number';
  else why = `${r.verdict === 'Pass' ? 'within' : 'above'} ${factor}x stable (${milliseconds(r.threshold)})`;
  const mean = kind === 'mean' ? ' (mean: the server exports no latency histogram)' : '';
  const message = `canary ${what} latency ${milliseconds(c)} vs stable ${milliseconds(s)} over ${requestCount(n.canary)} vs ${requestCount(n.stable)} requests${mean}: ${why}`;
  const threshold = [
    Number.isFinite(r.threshold) ? `${what} <= ${factor} x stable = ${milliseconds(r.threshold)}` : `${what} <= ${factor} x stable`,
    ...ceiling,
  ].join('; ');

  return measurement({
    check,
    verdict: overCeiling ? 'Fail' : r.verdict,
    value: c,
    stableValue: s,
    samples: requestCount(n.canary),
    stableSamples: requestCount(n.stable),
    statistic: Number.isFinite(r.ratio) ? `${what} ratio=${Number(r.ratio.toPrecision(3))}` : undefined,
    threshold,
    message,
  });
}
