// PURE: the PromQL behind `modelship top`, over the inference agent's series as the model pods' scrape
// labels them. One instant query per column, each grouped by ModelDeployment, variant and revision;
// accuracy is counted under the revision that served the prediction (prediction_*) and renamed to match.
import { equalityMatchers } from '../analysis/promql-syntax.ts';

export const TOP_COLUMNS = ['requestRate', 'errorRate', 'p95', 'accuracy'] as const;
export type TopColumn = (typeof TOP_COLUMNS)[number];

const BY = 'namespace, model_deployment, variant, revision';
const BY_PREDICTION = 'namespace, model_deployment, prediction_variant, prediction_revision';

/** Rate windows: 5m for traffic and latency, 1h for accuracy (labels arrive far more slowly). */
export function topQueries(namespace: string | undefined): Record<TopColumn, string> {
  const sel = (extra = '') => {
    const m = [namespace === undefined ? 'model_deployment!=""' : `${equalityMatchers({ namespace })},model_deployment!=""`, ...(extra ? [extra] : [])];
    return `{${m.join(',')}}`;
  };
  const requests = `sum by (${BY}) (rate(modelship_inference_requests_total${sel()}[5m]))`;
  const labels = (extra = '') => `sum by (${BY_PREDICTION}) (increase(modelship_inference_labels_total${sel(extra)}[1h]))`;
  const renamed = (expr: string) =>
    `label_replace(label_replace(${expr}, "variant", "$1", "prediction_variant", "(.*)"), "revision", "$1", "prediction_revision", "(.*)")`;
  return {
    requestRate: requests,
    // A revision that never failed has no 5xx series: 0 errors, not a missing value.
    errorRate: `(sum by (${BY}) (rate(modelship_inference_requests_total${sel('code=~"5..|0"')}[5m])) or ${requests} * 0) / ${requests}`,
    p95: `histogram_quantile(0.95, sum by (${BY}, le) (rate(modelship_inference_request_duration_seconds_bucket${sel()}[5m])))`,
    accuracy: `sum by (${BY}) (${renamed(`${labels('result="correct"')} / ${labels()}`)})`,
  };
}
