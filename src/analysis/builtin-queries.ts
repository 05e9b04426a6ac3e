// The PromQL behind the built-in checks, per runtime preset: each model server names its counters
// differently (the table at the top of test/cluster/pod-simulator-model.ts), so the preset decides the
// series. Every query selects one variant by the scrape's target labels and sums over its pods.
//
// | preset | requests | errors | latency |
// |---|---|---|---|
// | mlserver | model_infer_request_success_total + _failure_total | _failure_total | rest_server_request_duration_seconds histogram, inference paths |
// | tensorflow-serving | :tensorflow:serving:request_count | status != "OK" | :tensorflow:serving:request_latency histogram (us) |
// | triton | nv_inference_request_success + _failure | _failure | mean: nv_inference_request_duration_us / _success (us) |
// | torchserve | ts_inference_requests_total | Requests5XX | mean: ts_inference_latency_microseconds / ts_inference_requests_total |
// | custom | http_requests_total | code=~"5.." | http_request_duration_seconds histogram |
// | mlflow | none: the scoring server exports no metrics | | |
import type { RuntimePresetName } from '../api/runtime-presets.ts';
import { LABEL_MODEL_DEPLOYMENT, LABEL_NAMESPACE, LABEL_VARIANT, equalityMatchers, escapeLabelValue, promqlDuration } from './promql-syntax.ts';
import type { AnalysisVariant } from './promql-syntax.ts';

/** One variant of one ModelDeployment. */
export interface VariantTarget {
  namespace: string;
  /** The ModelDeployment's name. */
  name: string;
  variant: AnalysisVariant;
}

/** quantile: histogram_quantile of a latency histogram; mean: sum / count, for servers without a histogram. */
export type LatencyKind = 'quantile' | 'mean';

export interface BuiltinQueries {
  /** Inference requests in the window, failed ones included; 0 when the series do not exist yet. */
  requests: string;
  /** Failed inference requests in the window; 0 when no failure was ever counted. */
  errors: string;
  /** Latency in seconds over the window: the quantile, or the mean (see latencyKind). */
  latency: string;
  latencyKind: LatencyKind;
}

/** How each preset's server reports latency; undefined: it exports no Prometheus metrics at all. */
export const PRESET_LATENCY_KIND: Readonly<Record<RuntimePresetName, LatencyKind | undefined>> = {
  mlserver: 'quantile',
  'tensorflow-serving': 'quantile',
  triton: 'mean',
  torchserve: 'mean',
  mlflow: undefined,
  custom: 'quantile',
};

/** Undefined for a preset whose server exports no Prometheus metrics (mlflow). */
export function builtinQueries(
  preset: RuntimePresetName,
  target: VariantTarget,
  windowSeconds: number,
  quantile: number,
): BuiltinQueries | undefined {
  const latencyKind = PRESET_LATENCY_KIND[preset];
  const queries = seriesQueries(preset, target, windowSeconds, quantile);
  return latencyKind === undefined || queries === undefined ? undefined : { ...queries, latencyKind };
}

function seriesQueries(
  preset: RuntimePresetName,
  target: VariantTarget,
  windowSeconds: number,
  quantile: number,
): Omit<BuiltinQueries, 'latencyKind'> | undefined {
  const s: Series = {
    matchers: equalityMatchers({
      [LABEL_NAMESPACE]: target.namespace,
      [LABEL_MODEL_DEPLOYMENT]: target.name,
      [LABEL_VARIANT]: target.variant,
    }),
    range: promqlDuration(windowSeconds),
  };
  switch (preset) {
    case 'mlserver':
      return {
        requests: `${orZero(increase(s, 'model_infer_request_success_total'))} + ${orZero(increase(s, 'model_infer_request_failure_total'))}`,
        errors: `${increase(s, 'model_infer_request_failure_total')} or vector(0)`,
        // The REST histogram also times health probes: only inference paths (concrete or templated) count.
        latency: histogramQuantile(s, quantile, 'rest_server_request_duration_seconds', 'path=~".+/infer"'),
      };
    case 'tensorflow-serving':
      return {
        requests: `${increase(s, ':tensorflow:serving:request_count')} or vector(0)`,
        errors: `${increase(s, ':tensorflow:serving:request_count', 'status!="OK"')} or vector(0)`,
        latency: `${histogramQuantile(s, quantile, ':tensorflow:serving:request_latency')} / 1e6`,
      };
    case 'triton':
      // Triton times successful requests only, so their count is the divisor.
      return {
        requests: `${orZero(increase(s, 'nv_inference_request_success'))} + ${orZero(increase(s, 'nv_inference_request_failure'))}`,
        errors: `${increase(s, 'nv_inference_request_failure')} or vector(0)`,
        latency: `${increase(s, 'nv_inference_request_duration_us')} / ${increase(s, 'nv_inference_request_success')} / 1e6`,
      };
    case 'torchserve':
      // Requests2XX/5XX count every HTTP answer, kubelet probes included, so the denominator is the
      // inference counter; 5XX has no model label and is selected by the pod's target labels alone.
      return {
        requests: `${increase(s, 'ts_inference_requests_total')} or vector(0)`,
        errors: `${increase(s, 'Requests5XX')} or vector(0)`,
        latency: `${increase(s, 'ts_inference_latency_microseconds')} / ${increase(s, 'ts_inference_requests_total')} / 1e6`,
      };
    case 'custom':
      return {
        requests: `${increase(s, 'http_requests_total')} or vector(0)`,
        errors: `${increase(s, 'http_requests_total', 'code=~"5.."')} or vector(0)`,
        latency: histogramQuantile(s, quantile, 'http_request_duration_seconds'),
      };
    case 'mlflow':
      return undefined;
  }
}

interface Series {
  matchers: string;
  range: string;
}

/** A selector; names PromQL cannot spell bare (TF Serving's leading ':') go through __name__. */
function selector(s: Series, metric: string, extra?: string): string {
  const matchers = extra === undefined ? s.matchers : `${s.matchers},${extra}`;
  return /^[a-zA-Z_][a-zA-Z0-9_:]*$/.test(metric) ? `${metric}{${matchers}}` : `{__name__="${escapeLabelValue(metric)}",${matchers}}`;
}

function increase(s: Series, metric: string, extra?: string): string {
  return `sum(increase(${selector(s, metric, extra)}[${s.range}]))`;
}

/** A series that does not exist yet (no failure so far) counts as 0 rather than emptying the sum. */
function orZero(expr: string): string {
  return `(${expr} or vector(0))`;
}

function histogramQuantile(s: Series, quantile: number, histogram: string, extra?: string): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(${selector(s, `${histogram}_bucket`, extra)}[${s.range}])))`;
}
