// The gauges read from the ModelDeployment cache: ModelDeployments by condition, each one's canary
// weight and step, its drift and its last retraining trigger. Set when /metrics is asked for (no API
// call), not on a timer: a timer walked every cached ModelDeployment every 10 s whether anyone scraped or
// not (converging 1000 models, 5% of what the operator allocated).
import type { ModelDeploymentObject } from '../controller/caches.ts';
import { CONDITION_ORDER } from '../status/condition-types.ts';
import { driftGaugeValues } from './drift-gauges.ts';
import { setDriftGauges, setRetrainingGauges, setRolloutGauges, type Metrics } from './metrics.ts';
import { retrainingGaugeValues } from './retraining-gauges.ts';
import { rolloutGaugeValues } from './rollout-gauges.ts';

export function setModelDeploymentGauges(metrics: Metrics, mds: readonly ModelDeploymentObject[]): void {
  metrics.modelDeployments.reset();
  for (const md of mds) {
    for (const c of md.status?.conditions ?? []) {
      if (CONDITION_ORDER.includes(c.type)) metrics.modelDeployments.inc({ condition: c.type, status: c.status });
    }
  }
  setRolloutGauges(metrics, rolloutGaugeValues(mds));
  setDriftGauges(metrics, driftGaugeValues(mds));
  setRetrainingGauges(metrics, retrainingGaugeValues(mds));
}
