// Per-ModelDeployment retraining for Prometheus, read from status.retraining.lastTrigger: when it was
// decided (Unix seconds, labelled with its reason and target) and its state (one series per state, 1 for
// the current one, so an alert can match state="Failed" or a Pending that lasts). Read from status, so
// they survive an operator restart and a leader change. Labelled model_namespace and model_deployment, as
// the rollout and drift gauges are. Pure.
import { RETRAINING_STATES } from '../api/retraining-status.ts';
import type { RetrainingStatus } from '../api/retraining-status.ts';

interface Labels {
  readonly model_namespace: string;
  readonly model_deployment: string;
}

export interface RetrainingGaugeValues {
  readonly lastTriggerTimes: readonly { readonly labels: Labels & { readonly reason: string; readonly target: string }; readonly seconds: number }[];
  readonly states: readonly { readonly labels: Labels & { readonly state: string }; readonly value: number }[];
}

/** What is read of a cached ModelDeployment. */
export interface ObservedRetraining {
  readonly metadata?: { readonly namespace?: string | undefined; readonly name?: string | undefined } | undefined;
  readonly status?: { readonly retraining?: RetrainingStatus | undefined } | undefined;
}

export function retrainingGaugeValues(mds: Iterable<ObservedRetraining>): RetrainingGaugeValues {
  const lastTriggerTimes: { labels: Labels & { reason: string; target: string }; seconds: number }[] = [];
  const states: { labels: Labels & { state: string }; value: number }[] = [];
  for (const md of mds) {
    const { namespace, name } = md.metadata ?? {};
    const last = md.status?.retraining?.lastTrigger;
    if (namespace === undefined || name === undefined || last === undefined) continue;
    const labels = { model_namespace: namespace, model_deployment: name };
    const time = last.time !== undefined ? Date.parse(last.time) : Number.NaN;
    if (!Number.isNaN(time) && last.reason !== undefined && last.target !== undefined) {
      lastTriggerTimes.push({ labels: { ...labels, reason: last.reason, target: last.target }, seconds: time / 1000 });
    }
    if (last.state !== undefined) {
      for (const state of RETRAINING_STATES) states.push({ labels: { ...labels, state }, value: last.state === state ? 1 : 0 });
    }
  }
  return { lastTriggerTimes, states };
}
