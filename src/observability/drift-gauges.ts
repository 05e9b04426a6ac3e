// Per-ModelDeployment drift for Prometheus, read from status.drift: the last check's verdict (one series
// per verdict, 1 for the current one, so an alert can match verdict="Drift"), and the effect size and
// p-value of each feature status.drift lists. Labelled model_namespace and model_deployment, as the
// rollout gauges are. Pure.
import { DRIFT_VERDICTS } from '../api/drift-status.ts';
import type { DriftStatus } from '../api/drift-status.ts';

interface Labels {
  readonly model_namespace: string;
  readonly model_deployment: string;
}

export interface DriftGaugeValues {
  readonly verdicts: readonly { readonly labels: Labels & { readonly verdict: string }; readonly value: number }[];
  readonly features: readonly { readonly labels: Labels & { readonly feature: string }; readonly effectSize?: number; readonly pValue?: number }[];
}

/** What is read of a cached ModelDeployment. */
export interface ObservedDrift {
  readonly metadata?: { readonly namespace?: string | undefined; readonly name?: string | undefined } | undefined;
  readonly status?: { readonly drift?: DriftStatus | undefined } | undefined;
}

export function driftGaugeValues(mds: Iterable<ObservedDrift>): DriftGaugeValues {
  const verdicts: { labels: Labels & { verdict: string }; value: number }[] = [];
  const features: { labels: Labels & { feature: string }; effectSize?: number; pValue?: number }[] = [];
  for (const md of mds) {
    const { namespace, name } = md.metadata ?? {};
    const drift = md.status?.drift;
    if (namespace === undefined || name === undefined || drift?.lastCheck?.verdict === undefined) continue;
    const labels = { model_namespace: namespace, model_deployment: name };
    for (const verdict of DRIFT_VERDICTS) verdicts.push({ labels: { ...labels, verdict }, value: drift.lastCheck.verdict === verdict ? 1 : 0 });
    for (const f of drift.features ?? []) {
      if (f.name === undefined) continue;
      features.push({
        labels: { ...labels, feature: f.name },
        ...(f.effectSize !== undefined ? { effectSize: f.effectSize } : {}),
        ...(f.pValue !== undefined ? { pValue: f.pValue } : {}),
      });
    }
  }
  return { verdicts, features };
}
