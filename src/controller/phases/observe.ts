// Phase observe: what the rollout machine needs to know, from the caches (the variants' Deployments,
// the provider's router, the canary's endpoints) and the evidence it asked for in an earlier reconcile
// that is ready now (the gatherer fetched it outside the worker; see evidence-gatherer.ts). No I/O.
import type { ModelDeploymentSpec, ModelDeploymentStatus } from '../../api/index.ts';
import { variantName } from '../../render/index.ts';
import type { RolloutObservations } from '../../rollout/index.ts';
import { childCacheKey, liveDeployment, readyEndpoints } from '../caches.ts';
import type { EvidenceSubject } from '../evidence-gatherer.ts';
import { observeRollout } from '../observe-rollout.ts';
import type { ReconcileDeps } from '../reconcile-deps.ts';
import type { Target } from './load.ts';

/** The ModelDeployment as the evidence gatherer knows it. */
export function evidenceSubject(target: Target, spec: ModelDeploymentSpec): EvidenceSubject {
  return { key: target.key, namespace: target.namespace, name: target.name, spec };
}

/** The live objects as the rollout machine sees them, read against `status` (the replicas provider reads the last weight from it). */
export function observeLive(target: Target, spec: ModelDeploymentSpec, status: ModelDeploymentStatus | undefined, deps: Pick<ReconcileDeps, 'caches'>): RolloutObservations {
  const { namespace, name } = target;
  const childCache = (apiVersion: string, kind: string) => deps.caches.children.get(childCacheKey(apiVersion, kind));
  return observeRollout(spec, status, {
    name,
    stable: liveDeployment(deps.caches, namespace, variantName(name, 'stable')),
    canary: liveDeployment(deps.caches, namespace, variantName(name, 'canary')),
    router: (kind, objName) => childCache(kind.apiVersion, kind.kind)?.get(namespace, objName),
    canaryService: variantName(name, 'canary'),
    canaryEndpoints: readyEndpoints(deps.caches, namespace, name, variantName(name, 'canary')),
  });
}

export function observe(target: Target, spec: ModelDeploymentSpec, deps: Pick<ReconcileDeps, 'caches' | 'evidence'>): RolloutObservations {
  return { ...observeLive(target, spec, target.md.status, deps), ...deps.evidence.take(evidenceSubject(target, spec)) };
}
