// Phase report: the status this reconcile found, from every phase's result. Computed whatever the
// phases met (a render error, failed applies), from the live objects after the applies, never from a
// cache read before them: otherwise Ready could be reported for the previous spec.
import type { V1Deployment } from '@kubernetes/client-node';
import type { ModelDeploymentStatus } from '../../api/index.ts';
import { COMPONENT_MODEL_SERVER, LABEL_COMPONENT, serviceUrl, variantName } from '../../render/index.ts';
import type { RolloutDecision } from '../../rollout/index.ts';
import { removeCondition, setCondition } from '../../status/conditions.ts';
import { computeStatus } from '../../status/compute-status.ts';
import type { ApplyError, Observations } from '../../status/observations.ts';
import { trafficProvider } from '../../traffic/registry.ts';
import type { Caches } from '../caches.ts';
import { observeDeployment, observePod } from '../observe.ts';
import { withRollout } from '../rollout-status.ts';
import type { Applied } from './apply.ts';
import type { Target } from './load.ts';
import type { Desired } from './render.ts';

export interface PhaseResults {
  readonly decision: RolloutDecision | undefined;
  readonly desired: Desired;
  readonly applied: Applied;
  /** Apply and prune failures, in that order. */
  readonly errors: readonly ApplyError[];
}

/** metav1.Time: RFC 3339 in seconds. */
export function metaTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What the status is computed from: the Deployments as applied, the model-server pods in the cache. */
export function observeServing(target: Target, results: PhaseResults, caches: Caches): Observations {
  const { namespace, name, spec, generation } = target;
  const { desired, applied } = results;
  const deployments = desired.objects
    .filter((c) => c.kind === 'Deployment')
    .map((c) => {
      const variant = c.metadata.name === variantName(name, 'canary') ? 'canary' : 'stable';
      // The HPA minimum applies to stable; a canary's size is the plan's.
      const min = variant === 'stable' ? (spec?.autoscaling?.minReplicas ?? 0) : 0;
      return observeDeployment(variant, c.metadata.name, applied.live.get(`Deployment/${c.metadata.name}`) as V1Deployment | undefined, min);
    });
  // Model-server pods only: a validation Job's pods say nothing about serving.
  const pods = caches.pods
    .byIndex(namespace, name)
    .filter((p) => (p.metadata?.labels?.[LABEL_COMPONENT] ?? COMPONENT_MODEL_SERVER) === COMPONENT_MODEL_SERVER)
    .map((p) => observePod(p));
  return {
    generation,
    ...(desired.renderError ? { renderError: desired.renderError } : {}),
    applyErrors: [...results.errors],
    deployments,
    pods,
    serviceUrl: serviceUrl(name, namespace),
    ...(spec?.autoscaling ? { autoscaling: { minReplicas: spec.autoscaling.minReplicas ?? 1, maxReplicas: spec.autoscaling.maxReplicas } } : {}),
  };
}

/** PURE: the serving status, the rollout's fields and conditions over it, and the provider's TrafficMirror verdict. */
export function nextStatus(target: Target, observations: Observations, results: PhaseResults, now: string): ModelDeploymentStatus {
  const { spec, generation } = target;
  const served = computeStatus(target.md.status, observations, now);
  const next = results.decision ? withRollout(served, results.decision, generation, now) : served;
  const mirror = spec ? trafficProvider(spec.rollout?.traffic?.provider ?? 'replicas').mirrorSupport(results.desired.objects, results.applied.live) : undefined;
  return {
    ...next,
    conditions: mirror
      ? setCondition(next.conditions, { type: 'TrafficMirror', ...mirror, observedGeneration: generation }, now)
      : removeCondition(next.conditions, 'TrafficMirror'),
  };
}
