// The PromQL behind the built-in drift check: the predictions one variant's pods counted (the inference
// agent's modelship_inference_predictions_total by value, and the modelship_inference_prediction_value
// histogram by bucket), each summed over pods and outputs and grouped by the one label the check reads.
// The agent's series carry the scrape's target labels like every other series of the pod, so a variant
// is selected as the error-rate check selects it.
import type { VariantTarget } from './builtin-queries.ts';
import { LABEL_MODEL_DEPLOYMENT, LABEL_NAMESPACE, LABEL_VARIANT, equalityMatchers, promqlDuration } from './promql-syntax.ts';

/** The agent's metric names (src/agent/metrics.ts; a unit test keeps the two equal). */
export const PREDICTIONS_METRIC = 'modelship_inference_predictions_total';
export const PREDICTION_VALUE_METRIC = 'modelship_inference_prediction_value';
/** What the two queries are grouped by. */
export const CATEGORY_LABEL = 'value';
export const BUCKET_LABEL = 'le';

export interface DriftQueries {
  /** Categorical predictions in the window by value. */
  categories: string;
  /** Real-valued predictions in the window by cumulative bucket (le). */
  buckets: string;
}

export function driftQueries(target: VariantTarget, windowSeconds: number): DriftQueries {
  const matchers = equalityMatchers({
    [LABEL_NAMESPACE]: target.namespace,
    [LABEL_MODEL_DEPLOYMENT]: target.name,
    [LABEL_VARIANT]: target.variant,
  });
  const range = promqlDuration(windowSeconds);
  return {
    categories: `sum by (${CATEGORY_LABEL}) (increase(${PREDICTIONS_METRIC}{${matchers}}[${range}]))`,
    buckets: `sum by (${BUCKET_LABEL}) (increase(${PREDICTION_VALUE_METRIC}_bucket{${matchers}}[${range}]))`,
  };
}
