// A real Prometheus (the built test tools) serving modelship_inference_labels_total as the inference agent
// exports it, with the scrape's target labels: counters growing at steady rates for the last 70 minutes,
// written as TSDB blocks by promtool. Needs no control plane.
import { LABELS_METRIC } from '../../src/analysis/accuracy-queries.ts';
import { startPrometheusOnSeries } from './prometheus-on-series.ts';

/** Labels per second of one revision of one ModelDeployment, by result. */
export interface LabelRates {
  readonly namespace: string;
  readonly model: string;
  readonly revision: number;
  readonly correct: number;
  readonly incorrect: number;
}

const STEP = 15;
const SPAN = 70 * 60;

function openMetrics(rates: readonly LabelRates[], nowSeconds: number): string {
  const start = nowSeconds - SPAN;
  const lines = [`# TYPE ${LABELS_METRIC.replace(/_total$/, '')} counter`];
  for (let t = start; t <= nowSeconds; t += STEP) {
    for (const r of rates) {
      const target = `namespace="${r.namespace}",model_deployment="${r.model}",variant="stable",revision="${r.revision}",pod="${r.model}-a"`;
      const prediction = `prediction_variant="stable",prediction_revision="${r.revision}",prediction_version="${r.revision}"`;
      for (const result of ['correct', 'incorrect'] as const) {
        lines.push(`${LABELS_METRIC}{${target},${prediction},result="${result}"} ${r[result] * (t - start)} ${t}`);
      }
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

export function startLabelsPrometheus(rates: readonly LabelRates[]): Promise<{ address: string; stop: () => Promise<void> }> {
  return startPrometheusOnSeries(openMetrics(rates, Math.floor(Date.now() / 1000)));
}
