// Per-ModelDeployment rollout position for Prometheus, read from status.canary: the canary's weight and
// its step index, so each rollout step shows on a dashboard as a change of either. Labelled
// model_namespace and model_deployment, not namespace: the operator's own scrape sets namespace to the
// operator's. Pure.
export interface RolloutGaugeValue {
  readonly labels: { readonly model_namespace: string; readonly model_deployment: string };
  /** status.canary.weight, 0 without a canary. */
  readonly weight: number;
  /** status.canary.step, -1 without a canary (so the start and the end of a rollout are changes too). */
  readonly step: number;
}

/** What is read of a cached ModelDeployment. */
export interface Observed {
  readonly metadata?: { readonly namespace?: string | undefined; readonly name?: string | undefined } | undefined;
  readonly status?: { readonly canary?: { readonly weight: number; readonly step: number } | undefined } | undefined;
}

export function rolloutGaugeValues(mds: Iterable<Observed>): RolloutGaugeValue[] {
  const out: RolloutGaugeValue[] = [];
  for (const md of mds) {
    const { namespace, name } = md.metadata ?? {};
    if (namespace === undefined || name === undefined) continue;
    const canary = md.status?.canary;
    out.push({ labels: { model_namespace: namespace, model_deployment: name }, weight: canary?.weight ?? 0, step: canary?.step ?? -1 });
  }
  return out;
}
