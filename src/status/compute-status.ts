// PURE: (previous status, what was observed, now) -> the status to write. Rules (DESIGN.md section 4, kstatus):
// - Stalled=True when progress needs a person (stall.ts); Reconciling=True while work needs only time
//   (progress.ts). Both are abnormal-true conditions and, as Flux does, are REMOVED rather than set
//   False; kstatus reads an absent one as False. Stalled wins: the two are never True together.
// - observedGeneration moves to metadata.generation once this generation has been acted on in full:
//   everything applied, or a verdict that it cannot be (Stalled). While an apply is being retried it
//   keeps its previous value, so kstatus says InProgress. A stalled spec must report the new
//   generation, or kstatus would say InProgress instead of Failed and GitOps tools would wait in vain.
// - Serving=True while any replica is ready behind the stable Service, also during a rollout.
// - Ready=True (reason Succeeded) only when the generation is observed, nothing is stalled or under way,
//   and every Deployment has all its desired replicas ready; otherwise False with the blocking reason.
// Condition types owned by others and the rollout fields (stable, canary, traffic, history) are kept.
import type { Condition, ModelDeploymentStatus } from '../api/index.ts';
import type { ReasonAt } from '../api/reasons.ts';
import { READY, RECONCILING, SERVING, STALLED } from './condition-types.ts';
import { removeCondition, setCondition } from './conditions.ts';
import { isRetryable } from './apply-errors.ts';
import { desiredReplicas } from './deployments.ts';
import type { Observations } from './observations.ts';
import { findProgress } from './progress.ts';
import { findStall } from './stall.ts';
import type { Verdict } from './verdict.ts';

export function computeStatus(previous: ModelDeploymentStatus | undefined, obs: Observations, now: string): ModelDeploymentStatus {
  const stall = findStall(obs);
  const progress = stall === undefined ? findProgress(obs) : undefined;
  const observedGeneration = obs.applyErrors.some(isRetryable) ? previous?.observedGeneration : obs.generation;

  const existing = obs.deployments.filter((d) => d.exists);
  const replicas = existing.reduce((n, d) => n + desiredReplicas(d), 0);
  const readyReplicas = existing.reduce((n, d) => n + (d.readyReplicas ?? 0), 0);

  const g = obs.generation;
  let conditions: Condition[] | undefined = previous?.conditions;
  conditions =
    stall === undefined
      ? removeCondition(conditions, STALLED)
      : setCondition(conditions, { type: STALLED, status: 'True', ...stall, observedGeneration: g }, now);
  conditions =
    progress === undefined
      ? removeCondition(conditions, RECONCILING)
      : setCondition(conditions, { type: RECONCILING, status: 'True', ...progress, observedGeneration: g }, now);
  conditions = setCondition(conditions, { type: SERVING, ...serving(obs, replicas, readyReplicas, stall), observedGeneration: g }, now);

  const blocker: Verdict | undefined =
    stall ??
    progress ??
    (observedGeneration === g ? undefined : { reason: 'Progressing', message: `generation ${g} is not fully applied yet` });
  const ready =
    blocker === undefined
      ? { status: 'True' as const, reason: 'Succeeded' as const, message: succeeded(obs, replicas, readyReplicas) }
      : { status: 'False' as const, ...blocker };
  conditions = setCondition(conditions, { type: READY, ...ready, observedGeneration: g }, now);

  const status: ModelDeploymentStatus = { ...rolloutFields(previous) };
  if (observedGeneration !== undefined) status.observedGeneration = observedGeneration;
  status.conditions = conditions;
  status.url = obs.serviceUrl;
  status.replicas = replicas;
  status.readyReplicas = readyReplicas;
  const traffic = trafficSummary(previous, obs);
  if (traffic !== undefined) status.trafficSummary = traffic;
  return status;
}

function serving(
  obs: Observations,
  replicas: number,
  readyReplicas: number,
  stall: Verdict | undefined,
): { status: 'True' | 'False'; reason: ReasonAt<'Serving=True' | 'Serving=False'>; message: string } {
  if (readyReplicas > 0) {
    return { status: 'True', reason: 'ReplicasReady', message: `${plural(readyReplicas, 'ready replica')} behind ${obs.serviceUrl}` };
  }
  const existing = obs.deployments.some((d) => d.exists);
  const message =
    existing && replicas === 0
      ? `scaled to zero: no replica serves ${obs.serviceUrl}; set spec.replicas above 0 to serve`
      : `no replica is ready to serve ${obs.serviceUrl}${stall === undefined ? ' yet' : ` (${stall.reason})`}`;
  return { status: 'False', reason: 'NoReadyReplicas', message };
}

function succeeded(obs: Observations, replicas: number, readyReplicas: number): string {
  const scaling = obs.autoscaling === undefined ? '' : ` (autoscaling ${obs.autoscaling.minReplicas}-${obs.autoscaling.maxReplicas})`;
  return `${readyReplicas}/${replicas} replicas ready${scaling}; serving at ${obs.serviceUrl}`;
}

/** The rollout logic (a later issue) owns the weights; until a canary exists all traffic is stable. */
function trafficSummary(previous: ModelDeploymentStatus | undefined, obs: Observations): string | undefined {
  const existing = obs.deployments.filter((d) => d.exists);
  if (existing.length === 0) return undefined;
  if (existing.some((d) => d.variant === 'canary')) return previous?.trafficSummary ?? 'stable=100';
  return 'stable=100';
}

function rolloutFields(previous: ModelDeploymentStatus | undefined): Partial<ModelDeploymentStatus> {
  const kept: Partial<ModelDeploymentStatus> = {};
  if (previous?.stable !== undefined) kept.stable = previous.stable;
  if (previous?.canary !== undefined) kept.canary = previous.canary;
  if (previous?.traffic !== undefined) kept.traffic = previous.traffic;
  if (previous?.history !== undefined) kept.history = previous.history;
  // Written by the retraining sender (src/retraining) in writes of its own.
  if (previous?.retraining !== undefined) kept.retraining = previous.retraining;
  return kept;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
